"""The office's audit log page: filters, pagination, and who may see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from survey_platform.core.audit import audit
from survey_platform.core.models import AuditAction, AuditEvent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(office):
    audit(AuditAction.PUBLISH, actor=office, data={"version": 3})
    audit(AuditAction.EXPORT, actor=office, data={"format": "sav"})
    audit(AuditAction.LOGIN_FAILED, actor=None, actor_repr="mallory", data={"username": "mallory"})
    old = audit(AuditAction.DOWNLOAD, actor=office, data={"file": "brief.pdf"})
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))


def test_office_sees_and_filters(events, office):
    client = client_for(office)
    url = reverse("audit-log")
    page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["events"]) == AuditEvent.objects.count()
    only = client.get(url, {"action": "export"})
    assert [e.action for e in only.context["events"]] == ["export"]
    who = client.get(url, {"actor": "mall"})
    assert [e.actor_repr for e in who.context["events"]] == ["mallory"]
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    recent = client.get(url, {"since": since})
    assert all(e.action != "download" for e in recent.context["events"])
    assert len(recent.context["events"]) == AuditEvent.objects.count() - 1


def test_bad_filter_shows_error_and_nothing(events, office):
    page = client_for(office).get(reverse("audit-log"), {"since": "not-a-date"})
    assert page.status_code == 200
    assert list(page.context["events"]) == []
    assert page.context["filter"].errors


def test_pagination_keeps_the_filter(office):
    for i in range(60):
        audit(AuditAction.EXPORT, actor=office, data={"i": i})
    client = client_for(office)
    first = client.get(reverse("audit-log"), {"action": "export"})
    assert len(first.context["events"]) == 50
    assert "action=export" in first.context["query"]
    second = client.get(reverse("audit-log"), {"action": "export", "page": 2})
    assert len(second.context["events"]) == 10


def test_others_may_not_see_the_audit_log(events, officer_a, leader):
    assert client_for(officer_a).get(reverse("audit-log")).status_code == 403
    assert client_for(leader).get(reverse("audit-log")).status_code == 403
    assert client_for(None).get(reverse("audit-log")).status_code == 302
