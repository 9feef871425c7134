"""The office's common grievances page: who may see it, what it shows, the table cache."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from survey_platform.fieldwork import grievances as module
from survey_platform.fieldwork import services
from survey_platform.fieldwork.grievances import cache_path, wave_grievance_table
from survey_platform.fieldwork.models import Wave
from survey_platform.network.models import Region, Sector
from tests.conftest import client_for
from tests.factories import StationFactory, add_simulated_responses

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def stations():
    sectors = list(Sector.objects.order_by("order")[:2])
    regions = list(Region.objects.filter(level="county").order_by("code")[:2])
    return [
        StationFactory(sector=sectors[i % 2], region=regions[i // 2], frame_size=400 * (i + 1))
        for i in range(4)
    ]


def make_wave(office, version, stations, code: str, previous: Wave | None = None) -> Wave:
    now = timezone.now()
    wave = services.wave_create(
        actor=office,
        code=code,
        title=f"申诉测试 {code}",
        kind="comprehensive",
        instrument_version=version,
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=30),
        previous=previous,
    )
    for station in stations:
        services.quota_set(actor=office, wave=wave, station=station, target=300)
    return services.wave_open(actor=office, wave=wave)


def add_responses(wave: Wave, stations, per_station: int = 60, seed: int = 1) -> None:
    # Personal data in an open answer must never reach the page, scrubbed or not quoted.
    add_simulated_responses(wave, stations, per_station, seed)


@pytest.fixture
def waves(office, standard_version, stations):
    before = make_wave(office, standard_version, stations, "2025-GR")
    add_responses(before, stations, seed=5)
    after = make_wave(office, standard_version, stations, "2026-GR", previous=before)
    add_responses(after, stations, seed=6)
    return before, after


def url(wave: Wave) -> str:
    return reverse("fieldwork:grievances", args=[wave.code])


def test_anonymous_goes_to_login(waves):
    response = client_for(None).get(url(waves[1]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_leadership_and_station_staff_are_refused(waves, leader, officer_a):
    assert client_for(leader).get(url(waves[1])).status_code == 403
    assert client_for(officer_a).get(url(waves[1])).status_code == 403


def test_unknown_wave_is_404(office, waves):
    assert client_for(office).get("/fieldwork/waves/NOPE/grievances/").status_code == 404


def test_office_sees_table_chart_heat_map_and_changes(office, waves):
    response = client_for(office).get(url(waves[1]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    table = wave_grievance_table(waves[1])
    top = table.ranked[0]
    assert table.previous_wave == "2025-GR"
    for needle in ('id="grievance-table"', 'id="grievance-chart"', "<svg", "Change since 2025-GR",
                   'id="grievance-heat"', "Adjusted p (BH)", f'id="row-{top.code}"',
                   top.label["en"], f"{100 * top.prevalence:.1f}%"):  # fmt: skip
        assert needle in html, needle
    assert PHONE not in html
    # The detail page links here.
    detail = client_for(office).get(reverse("fieldwork:wave", args=[waves[1].code]))
    assert url(waves[1]) in detail.content.decode()


def test_labels_follow_the_page_language(office, waves):
    table = wave_grievance_table(waves[1])
    html = client_for(office).get(url(waves[1]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert table.ranked[0].label["zh-hans"] in html
    assert table.ranked[0].label["en"] not in html


def test_small_cells_are_suppressed_not_shown(office, standard_version, stations):
    wave = make_wave(office, standard_version, stations, "2026-SM")
    add_responses(wave, stations[:2], per_station=30, seed=9)
    # One station with three respondents: its figures are below k and stay blank.
    add_responses(wave, stations[2:3], per_station=3, seed=10)
    table = wave_grievance_table(wave)
    for row in table.rows:
        assert row.suppressed == (row.prevalence is None)
        if row.n is not None and row.n < table.k:
            assert row.prevalence is None
    assert client_for(office).get(url(wave)).status_code == 200


def test_a_wave_without_responses_shows_a_translated_message(office, standard_version, stations):
    wave = make_wave(office, standard_version, stations, "2026-EMPTY")
    response = client_for(office).get(url(wave), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "has no complete responses to analyse yet" in response.content.decode()
    assert not cache_path(wave, compared=False).exists()


def test_the_table_is_cached_until_the_responses_change(waves, stations, monkeypatch):
    calls = []
    real = module.grievance_table

    def spy(*args, **kwargs):
        calls.append(kwargs.get("wave"))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "grievance_table", spy)
    first = wave_grievance_table(waves[1])
    assert calls == ["2025-GR", "2026-GR"]
    assert cache_path(waves[1], compared=True).exists()
    assert wave_grievance_table(waves[1]) == first
    assert calls == ["2025-GR", "2026-GR"]  # both from the cache
    add_responses(waves[1], stations[:1], per_station=12, seed=11)
    wave_grievance_table(waves[1])
    assert calls == ["2025-GR", "2026-GR", "2026-GR"]  # only the changed wave rebuilt


def test_a_damaged_cache_file_is_rebuilt(waves):
    first = wave_grievance_table(waves[1])
    cache_path(waves[1], compared=True).write_text("{broken", encoding="utf-8")
    assert wave_grievance_table(waves[1]) == first
