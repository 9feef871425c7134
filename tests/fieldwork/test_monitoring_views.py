"""Monitoring pages: who may see what, what they show, the CSV download and its audit,
and a constant number of queries however large the wave."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from survey_platform.core.models import AuditAction, AuditEvent
from survey_platform.fieldwork import services
from survey_platform.network.models import Region, Sector
from tests.conftest import client_for
from tests.factories import StationFactory
from tests.fieldwork.fixtures import draft_wave, published_version  # noqa: F401
from tests.fieldwork.test_monitoring import (  # noqa: F401
    make_invitations,
    make_responses,
    make_wave,
    standard_version,
)


@pytest.fixture
def wave(office, published_version, station_a, station_b):  # noqa: F811
    now = timezone.now()
    wave = make_wave(
        office, published_version, code="2026-M", opens_at=now - timedelta(5),
        closes_at=now + timedelta(5),
    )  # fmt: skip
    services.quota_set(actor=office, wave=wave, station=station_a, target=10)
    services.quota_set(actor=office, wave=wave, station=station_b, target=8)
    wave = services.wave_open(actor=office, wave=wave)
    make_responses(wave, station_a, 6)
    make_responses(wave, station_a, 2, status="partial")
    make_responses(wave, station_b, 1)
    make_invitations(wave, station_a, sent=2, opened=1, started=2, completed=4, expired=1)
    return wave


def quota_of(wave, station):
    return wave.quotas.get(station=station)


def dashboard_url(wave, station) -> str:
    return reverse("fieldwork:station-dashboard", args=[quota_of(wave, station).pk])


# --- station dashboard -----------------------------------------------------------------------


def test_officer_sees_own_dashboard(wave, station_a, officer_a):
    response = client_for(officer_a).get(dashboard_url(wave, station_a))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.completes, figures.target, figures.partials) == (6, 10, 2)
    assert figures.invitations == 10 and figures.response_rate == pytest.approx(40.0)
    assert dict(response.context["dashboard"].invitation_states) == {
        "sent": 2, "opened": 1, "started": 2, "completed": 4, "expired": 1,
    }  # fmt: skip
    html = response.content.decode()
    assert 'id="invitation-states"' in html and "<svg" in html and "40.0%" in html
    today = timezone.now().astimezone(timezone.get_default_timezone()).date()
    assert response.context["dashboard"].days[-1].day == today


def test_officer_gets_404_for_another_stations_quota(wave, station_b, officer_a):
    response = client_for(officer_a).get(dashboard_url(wave, station_b))
    assert response.status_code == 404


def test_unknown_quota_is_404(wave, office):
    response = client_for(office).get(reverse("fieldwork:station-dashboard", args=[99999]))
    assert response.status_code == 404


def test_leadership_is_refused_and_anonymous_sent_to_login(wave, station_a, leader):
    url = dashboard_url(wave, station_a)
    assert client_for(leader).get(url).status_code == 403
    response = client_for(None).get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_office_sees_any_station_dashboard(wave, station_b, office):
    response = client_for(office).get(dashboard_url(wave, station_b))
    assert response.status_code == 200 and response.context["figures"].completes == 1
    assert response.context["figures"].response_rate is None  # no invitations


def test_dashboard_lagging_notice(wave, station_b, officer_b):
    # station_b: 1 of 8 (12.5%) half-way through the period → lagging (< 35%).
    response = client_for(officer_b).get(dashboard_url(wave, station_b))
    assert response.context["figures"].lagging
    assert 'id="lagging-notice"' in response.content.decode()


def test_dashboard_strata_and_not_available(office, wave, standard_version, station_a, zh):  # noqa: F811
    quota = services.quota_set(
        actor=office, wave=wave, station=station_a, target=10, strata={"title": {"senior": 3}}
    )
    response = client_for(office).get(reverse("fieldwork:station-dashboard", args=[quota.pk]))
    assert 'class="muted strata-unavailable"' in response.content.decode()

    std = make_wave(office, standard_version, code="STD-V")
    quota = services.quota_set(
        actor=office, wave=std, station=station_a, target=10, strata={"title": {"senior": 3}}
    )
    make_responses(std, station_a, 2, answers={"A4": "1"})
    response = client_for(office).get(reverse("fieldwork:station-dashboard", args=[quota.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "strata-unavailable" not in html
    (stratum,) = response.context["dashboard"].strata
    assert {lv.code: lv.completes for lv in stratum.levels}["senior"] == 2


# --- office monitor ----------------------------------------------------------------------------


def test_office_monitor_lists_every_station(wave, office, station_a, station_b):
    response = client_for(office).get(reverse("fieldwork:office-monitor", args=[wave.code]))
    assert response.status_code == 200
    rows = {r.quota.station: r for r in response.context["monitor"].rows}
    assert set(rows) == {station_a, station_b}
    assert rows[station_b].lagging and not rows[station_a].lagging
    html = response.content.decode()
    assert 'id="monitor-table"' in html and 'class="lagging"' in html
    assert 'id="region-totals"' in html and 'id="sector-totals"' in html
    assert dashboard_url(wave, station_a) in html


def test_office_monitor_refusals(wave, officer_a, leader):
    url = reverse("fieldwork:office-monitor", args=[wave.code])
    csv_url = reverse("fieldwork:office-monitor-csv", args=[wave.code])
    for user in (officer_a, leader):
        assert client_for(user).get(url).status_code == 403
        assert client_for(user).get(csv_url).status_code == 403
    for target in (url, csv_url):
        response = client_for(None).get(target)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_office_monitor_unknown_wave_is_404(office, wave):
    client = client_for(office)
    assert client.get(reverse("fieldwork:office-monitor", args=["NOPE"])).status_code == 404
    assert client.get(reverse("fieldwork:office-monitor-csv", args=["NOPE"])).status_code == 404


def test_office_monitor_sort_parameter(wave, office):
    client = client_for(office)
    url = reverse("fieldwork:office-monitor", args=[wave.code])

    def names(sort: str) -> list[str]:
        rows = client.get(url, {"sort": sort}).context["monitor"].rows
        return [r.quota.station.name for r in rows]

    assert names("completion") == ["乙站", "甲站"]  # 12.5% before 60%
    assert names("-completion") == ["甲站", "乙站"]
    assert client.get(url, {"sort": "'; drop"}).context["monitor"].sort == "region"


def test_csv_has_bom_rows_and_is_audited(wave, office, settings):
    settings.LANGUAGE_CODE = "en"
    url = reverse("fieldwork:office-monitor-csv", args=[wave.code])
    response = client_for(office).get(url, {"sort": "-completion"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "Station" and len(rows) == 3
    assert [r[0] for r in rows[1:]] == ["甲站", "乙站"]  # Chinese intact, in the sort order
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["Target"], first["Completes"], first["Partial responses"]) == ("10", "6", "2")
    assert (first["Share of target (percent)"], first["Response rate (%)"], first["Lagging"]) == (
        "60.0", "40.0", "no",
    )  # fmt: skip
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.object_id == str(wave.pk) and event.actor == office
    assert event.data["rows"] == 2


def test_csv_neutralises_formula_cells(office, wave, station_a):
    station_a.name = "=HYPERLINK(1)"
    station_a.save()
    response = client_for(office).get(reverse("fieldwork:office-monitor-csv", args=[wave.code]))
    names = [r[0] for r in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))]
    assert "'=HYPERLINK(1)" in names


# --- queries do not grow with stations or responses ----------------------------------------------


def _grow(office, wave, stations: int, responses: int) -> None:
    regions = list(Region.objects.filter(level="county"))
    sectors = list(Sector.objects.all())
    for i in range(stations):
        station = StationFactory(region=regions[i % len(regions)], sector=sectors[i % len(sectors)])
        services.quota_set(actor=office, wave=wave, station=station, target=50)
        make_responses(wave, station, responses)
        make_responses(wave, station, 2, status="partial")
        make_invitations(wave, station, sent=3, completed=responses)


def test_office_monitor_query_count_is_constant(office, wave, django_assert_max_num_queries):
    client = client_for(office)
    url = reverse("fieldwork:office-monitor", args=[wave.code])
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(office, wave, stations=15, responses=12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"sort": "completion"})
    assert len(response.context["monitor"].rows) == 17
    csv_url = reverse("fieldwork:office-monitor-csv", args=[wave.code])
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(csv_url)


def test_station_dashboard_query_count_is_constant(office, wave, station_a, officer_a):
    client = client_for(officer_a)
    url = dashboard_url(wave, station_a)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    make_responses(wave, station_a, 300)
    make_invitations(wave, station_a, sent=200)
    with CaptureQueriesContext(connection) as big:
        assert client.get(url).status_code == 200
    assert len(big.captured_queries) == len(small.captured_queries)
