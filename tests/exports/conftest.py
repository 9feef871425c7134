"""A wave of the standard questionnaire with simulated responses at four stations, an
officer of the first station and helpers to run an export job and read its file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from survey_platform.exports import services as export_services
from survey_platform.fieldwork import services
from survey_platform.fieldwork.models import Wave
from survey_platform.fieldwork.releases import releases_catch_up
from survey_platform.jobs.models import Job
from survey_platform.network.models import Region, Sector
from tests.factories import MembershipFactory, StationFactory, add_simulated_responses

PER_STATION = 30
PHONE = "13912345678"
FORMULA = '=HYPERLINK("http://example.com")'


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def stations(db):
    sectors = list(Sector.objects.order_by("order")[:2])
    regions = list(Region.objects.filter(level="county").order_by("code")[:2])
    return [
        StationFactory(
            name=f"出口站{i}",
            host_institution=f"第{i}测试研究院",
            sector=sectors[i % 2],
            region=regions[i // 2],
            frame_size=400 * (i + 1),
        )
        for i in range(4)
    ]


def make_wave(office, version, stations, code: str = "2026-EX") -> Wave:
    now = timezone.now()
    wave = services.wave_create(
        actor=office,
        code=code,
        title="导出测试",
        title_en="Export test",
        kind="comprehensive",
        instrument_version=version,
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=30),
    )
    for station in stations:
        services.quota_set(actor=office, wave=wave, station=station, target=300)
    return services.wave_open(actor=office, wave=wave)


def add_responses(wave: Wave, stations, per_station: int = PER_STATION, seed: int = 3) -> None:
    def plant(docs: list) -> None:
        docs[0]["K1"] = f"经费太少，请联系我{PHONE}，出口站0的王主任知道"
        docs[1]["K2"] = FORMULA

    add_simulated_responses(wave, stations, per_station, seed, edit=plant)
    # As after the demo's bulk import: every station's completes are released to its
    # outputs in groups of at least k; a remainder of fewer than k stays unreleased.
    releases_catch_up(wave)


@pytest.fixture
def wave(office, standard_version, stations) -> Wave:
    wave = make_wave(office, standard_version, stations)
    add_responses(wave, stations)
    return wave


@pytest.fixture
def officer(stations):
    return MembershipFactory(station=stations[0], user__username="export_officer").user


@pytest.fixture
def other_officer(stations):
    return MembershipFactory(station=stations[1], user__username="other_officer").user


@pytest.fixture
def allowed(wave, office) -> Wave:
    return export_services.wave_set_station_exports(actor=office, wave=wave, allowed=True)


@pytest.fixture
def run_export(django_capture_on_commit_callbacks):
    """Start an export through the service and run it inline; returns the finished job."""

    def run(**kwargs) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            job = export_services.export_start(**kwargs)
        job.refresh_from_db()
        return job

    return run
