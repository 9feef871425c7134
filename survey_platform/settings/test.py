"""Settings for the test suite: tasks run inline, fast hashing, e-mail kept in memory."""

import os

from .base import *  # noqa: F403
from .base import RQ_QUEUES, TASKS, VAR_DIR
from .env import env_str
from .scale import uses_rq

SECRET_KEY = "test-only-key-not-secret-4b0f8b2e5d"
ANSWER_CODE_KEY = "test-only-answer-code-key-6a1f0c"
DEBUG = False
# Tasks run inline; with TASKS_BACKEND=rq (CI's PostgreSQL pass) they go through RQ and a
# real Redis instead, each job performed at enqueue time (RQ_ASYNC off) unless a test
# starts its own workers.
if not uses_rq(TASKS):
    TASKS["default"]["BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"
elif env_str("RQ_ASYNC", "") == "":
    RQ_QUEUES["default"]["ASYNC"] = False
    # jobs run at enqueue time in whatever thread enqueues (the live server's too)
    RQ_QUEUES["default"]["QUEUE_CLASS"] = "survey_platform.core.rq.ThreadSafeQueue"
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A file (not the in-memory default) for SQLite, so threads in the concurrency tests see
# real database locking. One file per test process: parallel runs cannot collide.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405

# Parallel test processes (pytest-xdist) each get their own Redis database, so one
# process's cache.clear() cannot wipe another's rate-limit counters or queued jobs.
_xdist = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist.startswith("gw") and CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    _db = int(_xdist[2:]) + 1
    _base = CACHES["default"]["LOCATION"].rsplit("/", 1)[0]  # noqa: F405
    CACHES["default"]["LOCATION"] = f"{_base}/{_db}"  # noqa: F405
    RQ_QUEUES["default"]["URL"] = f"{_base}/{_db}"
