from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from instruments import services as instrument_services
from survey_platform.core.errors import Conflict, ValidationFailed
from survey_platform.core.models import AuditEvent
from survey_platform.fieldwork import services
from survey_platform.fieldwork.models import StationQuota, Wave
from tests.conftest import client_for


def test_wave_cannot_open_without_quotas(office, draft_wave):
    with translation.override("zh-hans"), pytest.raises(Conflict) as err:
        services.wave_open(actor=office, wave=draft_wave)
    assert "配额" in err.value.message
    draft_wave.refresh_from_db()
    assert draft_wave.status == "draft"


def test_wave_lifecycle(office, draft_wave, station_a):
    services.quota_set(actor=office, wave=draft_wave, station=station_a, target=12)
    wave = services.wave_open(actor=office, wave=draft_wave)
    assert wave.status == "open"
    with pytest.raises(Conflict):
        services.wave_open(actor=office, wave=wave)
    with pytest.raises(Conflict):
        services.wave_mark_analysed(actor=office, wave=wave)
    wave = services.wave_close(actor=office, wave=wave)
    assert wave.status == "closed" and wave.closes_at <= timezone.now()
    wave = services.wave_mark_analysed(actor=office, wave=wave)
    assert wave.status == "analysed"
    assert AuditEvent.objects.filter(object_type="fieldwork.wave").count() >= 4


def test_questionnaire_cannot_change_once_open(
    office, open_wave, published_version, small_definition
):
    other = instrument_services.version_publish(
        actor=office,
        version=instrument_services.version_copy(actor=office, version=published_version),
    )
    with pytest.raises(Conflict):
        services.wave_update(actor=office, wave=open_wave, instrument_version=other)
    services.wave_update(actor=office, wave=open_wave, title="新标题")
    open_wave.refresh_from_db()
    assert open_wave.instrument_version == published_version and open_wave.title == "新标题"


def test_wave_needs_published_version_and_sane_dates(office, published_version):
    draft = instrument_services.version_copy(actor=office, version=published_version)
    now = timezone.now()
    base = {"actor": office, "title": "x", "kind": "quick", "opens_at": now}
    with pytest.raises(ValidationFailed):
        services.wave_create(
            code="X", instrument_version=draft, closes_at=now + timedelta(days=1), **base
        )
    with pytest.raises(ValidationFailed):
        services.wave_create(code="Y", instrument_version=published_version, closes_at=now, **base)
    assert not Wave.objects.exists()


def test_quota_rules(office, open_wave, station_a):
    quota = open_wave.quotas.get(station=station_a)
    StationQuota.objects.filter(pk=quota.pk).update(completes=5)
    with pytest.raises(ValidationFailed):
        services.quota_set(actor=office, wave=open_wave, station=station_a, target=4)
    with pytest.raises(ValidationFailed):
        services.quota_set(
            actor=office, wave=open_wave, station=station_a, target=10,
            strata={"title": {"senior": 8, "junior": 5}},
        )  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.quota_set(actor=office, wave=open_wave, station=station_a, target=10,
                           strata={"title": {"professor": 1}})  # fmt: skip
    ok = services.quota_set(actor=office, wave=open_wave, station=station_a, target=20,
                            strata={"title": {"senior": 5}})  # fmt: skip
    assert ok.target == 20 and ok.strata == {"title": {"senior": 5}}


def test_copy_as_next_wave(office, open_wave):
    now = timezone.now()
    new = services.wave_copy_next(
        actor=office, wave=open_wave, code="2027-Q1",
        opens_at=now + timedelta(days=60), closes_at=now + timedelta(days=90),
    )  # fmt: skip
    assert new.status == "draft" and new.previous == open_wave
    assert sorted(new.quotas.values_list("target", flat=True)) == [5, 10]
    assert all(q.completes == 0 for q in new.quotas.all())
    tokens = set(open_wave.quotas.values_list("open_token", flat=True))
    assert not tokens & set(new.quotas.values_list("open_token", flat=True))


def test_wave_pages(office, draft_wave, station_a):
    client = client_for(office)
    assert client.get(reverse("fieldwork:waves")).status_code == 200
    response = client.post(
        reverse("fieldwork:wave", args=[draft_wave.code]),
        {"station": station_a.pk, "target": "30"},
    )
    assert response.status_code == 302
    client.post(reverse("fieldwork:wave-action", args=[draft_wave.code, "open"]))
    draft_wave.refresh_from_db()
    assert draft_wave.status == "open"
    bad = client.post(
        reverse("fieldwork:wave", args=[draft_wave.code]), {"station": station_a.pk, "target": "0"}
    )
    assert bad.status_code == 400


@pytest.mark.parametrize("user_fixture", ["leader", "officer_a"])
def test_wave_admin_pages_are_office_only(request, user_fixture, draft_wave, station_a):
    client = client_for(request.getfixturevalue(user_fixture))
    assert client.get(reverse("fieldwork:waves")).status_code == 403
    assert client.get(reverse("fieldwork:wave", args=[draft_wave.code])).status_code == 403
    client.post(
        reverse("fieldwork:wave", args=[draft_wave.code]), {"station": station_a.pk, "target": 3}
    )
    client.post(reverse("fieldwork:wave-action", args=[draft_wave.code, "open"]))
    draft_wave.refresh_from_db()
    assert draft_wave.status == "draft" and not draft_wave.quotas.exists()
