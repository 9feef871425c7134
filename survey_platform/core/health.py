"""/healthz: can this process reach its database and its task queue?

For load balancers and orchestrators: 200 with ``{"status": "ok", ...}`` when both answer,
503 naming the part that does not. No login (it reveals no data), never cached, and
each check is bounded by a short timeout so a hung dependency cannot hang the probe.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from survey_platform.settings.scale import TASK_BACKENDS

log = logging.getLogger(__name__)


def check_database() -> str:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except Exception as exc:
        log.warning("healthz: database down: %s", exc)
        return "down"
    return "ok"


def check_queue() -> str:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == TASK_BACKENDS["rq"]:
        try:
            import django_rq

            conn = django_rq.get_connection("default")
            conn.connection_pool.connection_kwargs.setdefault("socket_timeout", 2)
            conn.connection_pool.connection_kwargs.setdefault("socket_connect_timeout", 2)
            conn.ping()
        except Exception as exc:
            log.warning("healthz: queue down: %s", exc)
            return "down"
        return "ok"
    if backend == TASK_BACKENDS["database"]:
        return check_database()  # the queue is a table in the same database
    return "ok"  # inline (immediate) tasks have no queue to lose


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    parts: dict[str, Any] = {"database": check_database(), "queue": check_queue()}
    healthy = all(v == "ok" for v in parts.values())
    parts["status"] = "ok" if healthy else "down"
    return JsonResponse(parts, status=200 if healthy else 503)
