"""Bad input is refused with a translated message and nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from survey_platform.core.errors import ValidationFailed
from survey_platform.core.models import AuditEvent
from survey_platform.network import services
from survey_platform.network.models import Region, Sector, Station
from tests.conftest import client_for


def _fields(**overrides):
    fields = {
        "name": "新站点",
        "host_institution": "新单位",
        "region": Region.objects.get(code="341181"),
        "sector": Sector.objects.get(code="health"),
        "level": "county",
        "active": True,
        "frame_size": 120,
    }
    fields.update(overrides)
    return fields


def test_create_and_audit(office):
    station = services.station_create(actor=office, **_fields())
    assert Station.objects.filter(pk=station.pk).exists()
    event = AuditEvent.objects.get(action="create", object_id=str(station.pk))
    assert event.actor == office and event.object_type == "network.station"


@pytest.mark.parametrize(
    ("overrides", "field", "zh_text", "en_text"),
    [
        ({"region": None}, "region", "请选择站点所在地区", "Choose the region of the station"),
        ({"frame_size": -5}, "frame_size", "不能为负数", "cannot be negative"),
    ],
)
def test_bad_station_is_refused_in_both_languages(office, overrides, field, zh_text, en_text):
    for lang, text in (("zh-hans", zh_text), ("en", en_text)):
        with translation.override(lang), pytest.raises(ValidationFailed) as err:
            services.station_create(actor=office, **_fields(**overrides))
        assert any(text in m for m in err.value.errors[field]), err.value.errors
    assert not Station.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_duplicate_name_in_same_region_is_refused(office):
    services.station_create(actor=office, **_fields())
    for lang, text in (("zh-hans", "该地区已有同名站点"), ("en", "already exists in this region")):
        with translation.override(lang), pytest.raises(ValidationFailed) as err:
            services.station_create(actor=office, **_fields(host_institution="另一单位"))
        assert any(text in m for msgs in err.value.errors.values() for m in msgs)
    assert Station.objects.count() == 1


def test_same_name_in_another_region_is_fine(office):
    services.station_create(actor=office, **_fields())
    services.station_create(actor=office, **_fields(region=Region.objects.get(code="341182")))
    assert Station.objects.count() == 2


def test_update_rejects_bad_value_and_keeps_old(office):
    station = services.station_create(actor=office, **_fields())
    with pytest.raises(ValidationFailed):
        services.station_update(actor=office, station=station, frame_size=-1)
    station.refresh_from_db()
    assert station.frame_size == 120
    assert not AuditEvent.objects.filter(action="update").exists()


def test_update_records_changes(office):
    station = services.station_create(actor=office, **_fields())
    services.station_update(actor=office, station=station, frame_size=150)
    event = AuditEvent.objects.get(action="update")
    assert event.data["changed"]["frame_size"] == ["120", "150"]


def test_page_refuses_duplicate_negative_and_missing_region(office):
    client = client_for(office)
    services.station_create(actor=office, **_fields())
    url = reverse("network:station-create")
    base = {
        "name": "新站点",
        "host_institution": "x",
        "region": Region.objects.get(code="341181").pk,
        "sector": Sector.objects.get(code="health").pk,
        "level": "county",
        "active": "on",
        "frame_size": "10",
    }
    cases = [
        ({}, "该地区已有同名站点"),
        ({"name": "别的", "frame_size": "-3"}, "科技工作者人数不能为负数"),
        ({"name": "别的", "region": ""}, "请选择站点所在地区"),
    ]
    for change, text in cases:
        response = client.post(url, {**base, **change}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
        assert text in response.content.decode()
    assert Station.objects.count() == 1


def test_page_creates_station(office):
    client = client_for(office)
    response = client.post(
        reverse("network:station-create"),
        {
            "name": "新站点",
            "host_institution": "x",
            "region": Region.objects.get(code="341181").pk,
            "sector": Sector.objects.get(code="health").pk,
            "level": "county",
            "frame_size": "10",
        },
    )
    station = Station.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/stations/{station.pk}/")


def test_membership_add_and_remove_via_page(office, station_a):
    from tests.factories import UserFactory

    UserFactory(username="newbie")
    client = client_for(office)
    client.post(
        reverse("network:membership-add", args=[station_a.pk]),
        {"username": "newbie", "role": "surveyor"},
    )
    membership = station_a.memberships.get()
    assert AuditEvent.objects.filter(
        action="create", object_type="network.stationmembership"
    ).exists()
    client.post(reverse("network:membership-remove", args=[station_a.pk, membership.pk]))
    assert not station_a.memberships.exists()
    assert AuditEvent.objects.filter(
        action="delete", object_type="network.stationmembership"
    ).exists()


def test_membership_duplicate_and_unknown_user_refused(office, station_a, officer_a):
    client = client_for(office)
    url = reverse("network:membership-add", args=[station_a.pk])
    response = client.post(url, {"username": "officer_a", "role": "head"}, follow=True)
    assert "已属于该站点" in response.content.decode()
    response = client.post(url, {"username": "ghost", "role": "head"}, follow=True)
    assert "没有该用户名的有效用户" in response.content.decode()
    assert station_a.memberships.count() == 1


def test_admin_save_goes_through_services(office):
    client = client_for(office)
    data = {
        "name": "后台站点",
        "host_institution": "x",
        "region": Region.objects.get(code="341181").pk,
        "sector": Sector.objects.get(code="health").pk,
        "level": "county",
        "active": "on",
        "frame_size": "10",
    }
    response = client.post(reverse("admin:network_station_add"), data)
    assert response.status_code == 302
    station = Station.objects.get(name="后台站点")
    assert AuditEvent.objects.filter(action="create", object_id=str(station.pk)).exists()
    response = client.post(reverse("admin:network_station_add"), {**data, "frame_size": "-1"})
    assert response.status_code == 200
    assert Station.objects.count() == 1
