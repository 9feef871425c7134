"""/healthz reports the database and the queue; a stopped Redis gives 503."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthy_with_inline_tasks(client):
    resp = client.get(reverse("healthz"))
    assert resp.status_code == 200
    assert resp.json() == {"database": "ok", "queue": "ok", "status": "ok"}
    assert "no-cache" in resp["Cache-Control"]


def test_redis_queue_up_then_down(client, rq_settings, redis_server):
    assert client.get(reverse("healthz")).json()["queue"] == "ok"
    redis_server.stop()
    resp = client.get(reverse("healthz"))
    assert resp.status_code == 503
    assert resp.json() == {"database": "ok", "queue": "down", "status": "down"}


def test_database_down(client, monkeypatch):
    from survey_platform.core import health

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    resp = client.get(reverse("healthz"))
    assert resp.status_code == 503
    assert resp.json()["database"] == "down"
