"""Purging roster contact data after a wave (service and management command)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from survey_platform.core.models import AuditAction, AuditEvent
from survey_platform.fieldwork import invitations as svc
from survey_platform.fieldwork.models import Invitation, InvitationState, Wave
from survey_platform.fieldwork.services import wave_close
from tests.fieldwork.test_invitations import make_quotas, make_version

pytestmark = pytest.mark.django_db

ROSTER = b"name,email,phone,title,age_group\nA,a@example.cn,13800000001,senior,lt35\nB,,,none,\n"


@pytest.fixture
def waves(office, officer_a, small_definition, station_a):
    """Three waves of station A: closed 40 days ago (due), closed 5 days ago, still open."""
    version = make_version(office, small_definition)
    made, printed = {}, {}
    for code, status in (("OLD", "closed"), ("RECENT", "closed"), ("OPEN", "open")):
        (quota,) = make_quotas(office, small_definition, [station_a], code=code, version=version)
        svc.roster_import(actor=officer_a, quota=quota, data=ROSTER)
        (printed[code],) = svc.codes_issue(actor=officer_a, quota=quota, count=1)
        Invitation.objects.filter(wave=quota.wave, name="A").update(state=InvitationState.COMPLETED)
        if status == "closed":
            wave_close(actor=office, wave=quota.wave)
        made[code] = Wave.objects.get(pk=quota.wave.pk)
    now = timezone.now()
    Wave.objects.filter(code="OLD").update(
        opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=40)
    )
    Wave.objects.filter(code="RECENT").update(
        opens_at=now - timedelta(days=20), closes_at=now - timedelta(days=5)
    )
    result = {code: Wave.objects.get(code=code) for code in made}
    for code, wave in result.items():
        wave.printed_code = printed[code]  # the slip handed out while the wave was open
    return result


def _contacts(wave):
    return list(
        Invitation.objects.filter(wave=wave)
        .exclude(name="", email="", phone="", title="", age_group="")
        .values_list("name", flat=True)
    )


def test_only_waves_past_their_delay_are_purged(waves):
    reports = svc.rosters_purge()
    assert [(r.wave, r.invitations, r.expired) for r in reports] == [("OLD", 3, 2)]
    old = Wave.objects.get(code="OLD")
    assert old.purged_at is not None
    assert _contacts(old) == []
    states = sorted(Invitation.objects.filter(wave=old).values_list("state", flat=True))
    assert states == ["completed", "expired", "expired"]
    for code in ("RECENT", "OPEN"):
        wave = Wave.objects.get(code=code)
        assert wave.purged_at is None
        assert sorted(_contacts(wave)) == ["A", "B"]
        assert not Invitation.objects.filter(wave=wave, state=InvitationState.EXPIRED).exists()
    event = AuditEvent.objects.get(action=AuditAction.DELETE, data__event="roster_purge")
    assert event.object_id == str(old.pk) and event.data["invitations"] == 3


def test_purge_is_idempotent(waves):
    assert len(svc.rosters_purge()) == 1
    purged_at = Wave.objects.get(code="OLD").purged_at
    assert svc.rosters_purge() == []
    assert Wave.objects.get(code="OLD").purged_at == purged_at
    assert AuditEvent.objects.filter(data__event="roster_purge").count() == 1


def test_purge_delay_is_per_wave(waves):
    Wave.objects.filter(code="RECENT").update(purge_after_days=5)
    Wave.objects.filter(code="OLD").update(purge_after_days=41)
    assert [r.wave for r in svc.rosters_purge()] == ["RECENT"]
    later = timezone.now() + timedelta(days=2)
    assert [r.wave for r in svc.rosters_purge(now=later)] == ["OLD"]


def test_expired_codes_no_longer_work(waves, client):
    from django.core.cache import cache

    cache.clear()  # the typed-code limits
    svc.rosters_purge()
    slip = waves["OLD"].printed_code
    assert Invitation.objects.get(pk=slip.invitation.pk).state == InvitationState.EXPIRED
    assert client.get(f"/a/{slip.token}/").status_code == 404
    assert client.post("/code/", {"code": slip.display}).status_code == 404
    # The open wave's slip still opens its questionnaire.
    assert client.get(f"/a/{waves['OPEN'].printed_code.token}/").status_code == 302


def test_command_dry_run_changes_nothing(waves):
    out = StringIO()
    call_command("purge_rosters", "--dry-run", stdout=out)
    assert "Would purge wave OLD" in out.getvalue()
    assert Wave.objects.get(code="OLD").purged_at is None
    assert sorted(_contacts(Wave.objects.get(code="OLD"))) == ["A", "B"]


def test_command_purges_and_reports(waves):
    out = StringIO()
    call_command("purge_rosters", stdout=out)
    assert "Purged wave OLD: contact data of 3 invitations, 2 unanswered codes expired." in (
        out.getvalue()
    )
    out = StringIO()
    call_command("purge_rosters", stdout=out)
    assert "No wave is due" in out.getvalue()


def test_purged_wave_page_shows_no_contacts(waves, officer_a):
    from django.urls import reverse

    from survey_platform.fieldwork.models import StationQuota
    from tests.conftest import client_for

    svc.rosters_purge()
    quota = StationQuota.objects.get(wave__code="OLD")
    response = client_for(officer_a).get(reverse("fieldwork:invitations", args=[quota.pk]))
    assert response.status_code == 200
    assert "a@example.cn" not in response.content.decode()
    assert "13800000001" not in response.content.decode()
