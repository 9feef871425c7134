"""Deployment knobs for running on several processes or machines (see docs/deploy.md).

The embedded default needs none of this: SQLite, tasks in the database (or inline in
tests), a per-process cache, plain logs, media files under VAR_DIR. Each helper reads its
own environment variables and returns a settings value:

* ``TASKS_BACKEND=rq`` + ``REDIS_URL``: django.tasks through RQ workers
  (``manage.py rqworker --job-class django_tasks_rq.Job``);
* ``REDIS_URL``: the cache (rate-limit counters must be shared by every web process);
* ``LOG_FORMAT=json``: one JSON object per log line, for a log collector;
* ``MEDIA_STORAGE`` (+ ``MEDIA_STORAGE_OPTIONS`` as JSON): where PDFs and exports are kept,
  any Django storage class (a shared volume by default, object storage by configuration).
"""

from __future__ import annotations

import json
from typing import Any

from .env import env_bool, env_str

TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "dummy": "django.tasks.backends.dummy.DummyBackend",
    "rq": "django_tasks_rq.RQBackend",
}


def tasks_backend_name(default: str = "database") -> str:
    return env_str("TASKS_BACKEND", default)


def tasks_from_env(default: str = "database") -> dict[str, Any]:
    name = tasks_backend_name(default)
    backend = TASK_BACKENDS.get(name, name)  # a dotted path is accepted as well
    return {"default": {"BACKEND": backend, "QUEUES": ["default"]}}


def uses_rq(tasks: dict[str, Any]) -> bool:
    return bool(tasks["default"]["BACKEND"] == TASK_BACKENDS["rq"])


def rq_queues() -> dict[str, Any]:
    """django-rq's queues. ``RQ_ASYNC=0`` runs each job at enqueue time, still through RQ
    and Redis (the test suite on PostgreSQL uses it: real serialisation, no worker)."""
    return {
        "default": {
            "URL": env_str("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "DEFAULT_TIMEOUT": 3600,
            "ASYNC": env_bool("RQ_ASYNC", True),
        }
    }


def caches_from_env() -> dict[str, Any]:
    url = env_str("REDIS_URL")
    if url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "survey"),
            }
        }
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def logging_from_env() -> dict[str, Any]:
    json_logs = env_str("LOG_FORMAT", "plain") == "json"
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if json_logs
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        # Every handler takes respondent keys out of paths and URLs before anything is
        # written (core/logging_filters.py); a handler added here must list it too.
        "filters": {
            "respondent_paths": {"()": "survey_platform.core.logging_filters.RespondentPathFilter"}
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "main",
                "filters": ["respondent_paths"],
            }
        },
        "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
        # Django's own defaults (django.utils.log.DEFAULT_LOGGING) give "django" and
        # "django.server" handlers of their own, without the filter: replace them, so
        # django.request propagates to the filtered root handler and runserver's request
        # lines go through it as well. (mail_admins goes with them: ADMINS is never set.)
        "loggers": {
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }


def media_storage_from_env() -> dict[str, Any]:
    backend = env_str("MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage")
    options = json.loads(env_str("MEDIA_STORAGE_OPTIONS", "{}") or "{}")
    return {"BACKEND": backend, "OPTIONS": options} if options else {"BACKEND": backend}
