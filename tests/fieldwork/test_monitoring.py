"""Monitoring selectors: per-day counts in Beijing time, lagging rule, response rate,
strata from answers, totals, sorting, and the SVG chart."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from instruments import services as instrument_services
from instruments.standard import load_standard
from survey_platform.fieldwork import monitoring, services
from survey_platform.fieldwork.charts import daily_chart
from survey_platform.fieldwork.models import Invitation, Response, StationQuota, Wave, WaveStatus
from survey_platform.network.models import Region, Sector
from tests.factories import StationFactory
from tests.fieldwork.fixtures import draft_wave, published_version  # noqa: F401


def make_responses(
    wave: Wave,
    station: Any,
    n: int,
    *,
    status: str = "complete",
    submitted_at: datetime | None = None,
    answers: dict[str, Any] | None = None,
    via_open_link: bool = False,
) -> None:
    when = submitted_at or timezone.now()
    Response.objects.bulk_create(
        Response(
            wave=wave,
            station=station,
            instrument_version_id=wave.instrument_version_id,
            status=status,
            answers=answers or {},
            via_open_link=via_open_link,
            submitted_at=when if status == "complete" else None,
        )
        for _ in range(n)
    )


def make_invitations(wave: Wave, station: Any, **states: int) -> None:
    Invitation.objects.bulk_create(
        Invitation(wave=wave, station=station, channel="print", state=state)
        for state, n in states.items()
        for _ in range(n)
    )


def make_wave(office: Any, version: Any, code: str = "M-1", **dates: datetime) -> Wave:
    now = timezone.now()
    return services.wave_create(
        actor=office,
        code=code,
        title="监测测试",
        kind="quick",
        instrument_version=version,
        opens_at=dates.get("opens_at", now - timedelta(days=5)),
        closes_at=dates.get("closes_at", now + timedelta(days=5)),
    )


@pytest.fixture
def standard_version(office):
    instrument = instrument_services.instrument_create(actor=office, code="std", name="标准问卷")
    version = instrument_services.version_create(
        actor=office, instrument=instrument, definition=load_standard().to_dict()
    )
    return instrument_services.version_publish(actor=office, version=version)


# --- completes per day ---------------------------------------------------------------------


def test_per_day_counts_follow_beijing_midnight(office, published_version, station_a):  # noqa: F811
    opens = datetime(2026, 3, 8, 0, 0, tzinfo=UTC)
    wave = make_wave(office, published_version, opens_at=opens, closes_at=opens + timedelta(10))
    services.quota_set(actor=office, wave=wave, station=station_a, target=10)
    # 15:59:59 UTC is 23:59:59 in Beijing on the 10th; 16:00 UTC is already the 11th there,
    # though still the 10th in UTC.
    make_responses(wave, station_a, 2, submitted_at=datetime(2026, 3, 10, 15, 59, 59, tzinfo=UTC))
    make_responses(wave, station_a, 3, submitted_at=datetime(2026, 3, 10, 16, 0, 0, tzinfo=UTC))
    make_responses(wave, station_a, 1, submitted_at=datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    make_responses(wave, station_a, 4, status="partial")  # partials are not completes
    now = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)
    # The station series groups by date; the wave-wide one counts day ranges: same answer.
    for station_id in (station_a.pk, None):
        days = {d.day: d for d in monitoring.completes_per_day(wave, station_id, now)}
        assert days[date(2026, 3, 10)].completes == 2
        assert days[date(2026, 3, 11)].completes == 4
        assert days[date(2026, 3, 9)].completes == 0  # every day of the period, zeros too
        assert min(days) == date(2026, 3, 8) and max(days) == date(2026, 3, 12)
        assert days[date(2026, 3, 12)].cumulative == 6


def test_per_day_keeps_completes_outside_the_period(office, published_version, station_a):  # noqa: F811
    opens = datetime(2026, 3, 8, 0, 0, tzinfo=UTC)  # 08:00 on the 8th in Beijing
    wave = make_wave(office, published_version, opens_at=opens, closes_at=opens + timedelta(3))
    make_responses(wave, station_a, 1, submitted_at=datetime(2026, 3, 6, 17, 0, tzinfo=UTC))
    make_responses(wave, station_a, 2, submitted_at=datetime(2026, 3, 9, 1, 0, tzinfo=UTC))
    make_responses(wave, station_a, 3, submitted_at=datetime(2026, 3, 20, 1, 0, tzinfo=UTC))
    now = datetime(2026, 4, 1, tzinfo=UTC)
    for station_id in (station_a.pk, None):
        days = {d.day: d.completes for d in monitoring.completes_per_day(wave, station_id, now)}
        assert min(days) == date(2026, 3, 7) and max(days) == date(2026, 3, 20)
        assert (days[date(2026, 3, 7)], days[date(2026, 3, 9)], days[date(2026, 3, 20)]) == (
            1,
            2,
            3,
        )
        assert sum(days.values()) == 6


def test_per_day_other_station_and_wave_wide(office, published_version, station_a, station_b):  # noqa: F811
    wave = make_wave(office, published_version)
    make_responses(wave, station_a, 2)
    make_responses(wave, station_b, 5)
    today = timezone.now().astimezone(monitoring.FIELD_TZ).date()
    by_a = {d.day: d.completes for d in monitoring.completes_per_day(wave, station_a.pk)}
    everyone = {d.day: d.completes for d in monitoring.completes_per_day(wave)}
    assert by_a[today] == 2 and everyone[today] == 7


def test_no_days_before_the_wave_opens(office, published_version):  # noqa: F811
    now = timezone.now()
    wave = make_wave(
        office, published_version, opens_at=now + timedelta(2), closes_at=now + timedelta(9)
    )
    assert monitoring.completes_per_day(wave) == []


# --- lagging ---------------------------------------------------------------------------------


def _wave(status: str) -> Wave:
    opens = datetime(2026, 5, 1, tzinfo=UTC)
    return Wave(status=status, opens_at=opens, closes_at=opens + timedelta(days=20))


@pytest.mark.parametrize(
    ("status", "days_in", "percent", "lagging"),
    [
        ("open", 10, 34.9, True),  # half the period gone: lagging under 50 - 15 = 35%
        ("open", 10, 35.0, False),
        ("open", 2, 0.0, False),  # 10% elapsed: nobody can lag yet
        ("open", 4, 4.9, True),  # 20% elapsed
        ("open", 30, 84.0, True),  # past closing but still open: 100 - 15
        ("open", 30, 85.0, False),
        ("closed", 5, 49.9, True),  # closed: under 50% of target
        ("closed", 5, 50.0, False),
        ("analysed", 5, 10.0, True),
        ("draft", 30, 0.0, False),
    ],
)
def test_lagging_rule(status, days_in, percent, lagging):
    wave = _wave(status)
    now = wave.opens_at + timedelta(days=days_in)
    assert monitoring.is_lagging(percent, wave, now) is lagging


def test_elapsed_share_is_clamped():
    wave = _wave("open")
    assert monitoring.elapsed_share(wave, wave.opens_at - timedelta(1)) == 0.0
    assert monitoring.elapsed_share(wave, wave.opens_at + timedelta(5)) == pytest.approx(0.25)
    assert monitoring.elapsed_share(wave, wave.closes_at + timedelta(5)) == 1.0


# --- the office table ----------------------------------------------------------------------


@pytest.fixture
def monitored(office, published_version):  # noqa: F811
    """Three stations in two regions and two sectors, half-way through an open wave."""
    regions = list(Region.objects.filter(level="county").order_by("code")[:2])
    sectors = list(Sector.objects.order_by("order", "code")[:2])
    now = timezone.now()
    wave = make_wave(
        office, published_version, opens_at=now - timedelta(5), closes_at=now + timedelta(5)
    )
    s1 = StationFactory(name="一号站", region=regions[0], sector=sectors[0])
    s2 = StationFactory(name="二号站", region=regions[0], sector=sectors[1])
    s3 = StationFactory(name="三号站", region=regions[1], sector=sectors[0])
    for station, target in ((s1, 10), (s2, 20), (s3, 10)):
        services.quota_set(actor=office, wave=wave, station=station, target=target)
    wave = services.wave_open(actor=office, wave=wave)
    make_responses(wave, s1, 8)  # 80%
    make_responses(wave, s1, 2, status="partial")
    make_responses(wave, s2, 2)  # 10%: lagging at half-time
    make_responses(wave, s2, 1, via_open_link=True)  # 15% in all
    make_responses(wave, s3, 5)  # 50%
    make_invitations(wave, s2, sent=3, opened=1, started=2, completed=2, expired=2)
    return {"wave": wave, "stations": (s1, s2, s3), "regions": regions, "sectors": sectors}


def test_office_figures_rates_and_lagging(monitored):
    wave, (s1, s2, s3) = monitored["wave"], monitored["stations"]
    rows = {r.quota.station: r for r in monitoring.office_monitor(wave).rows}
    assert (rows[s1].completes, rows[s1].partials, rows[s1].invitations) == (8, 2, 0)
    assert rows[s1].response_rate is None  # no invitations: no rate
    assert rows[s2].completes == 3 and rows[s2].invitations_completed == 2
    assert rows[s2].invitations == 10 and rows[s2].response_rate == pytest.approx(20.0)
    assert rows[s2].percent_of_target == pytest.approx(15.0)
    assert [rows[s].lagging for s in (s1, s2, s3)] == [False, True, False]


def test_office_totals_by_region_and_sector(monitored):
    monitor = monitoring.office_monitor(monitored["wave"])
    regions = {t.label: t for t in monitor.by_region}
    first, second = (str(r) for r in monitored["regions"])
    assert (regions[first].stations, regions[first].target, regions[first].completes) == (2, 30, 11)
    assert (regions[second].completes, regions[second].lagging) == (5, 0)
    sectors = {t.label: t for t in monitor.by_sector}
    assert sectors[str(monitored["sectors"][0])].completes == 13
    assert sectors[str(monitored["sectors"][1])].lagging == 1
    assert (monitor.total.completes, monitor.total.target, monitor.total.lagging) == (16, 40, 1)
    assert monitor.total.percent_of_target == pytest.approx(40.0)


def test_office_sort_orders(monitored):
    wave = monitored["wave"]

    def names(sort: str) -> list[str]:
        return [r.quota.station.name for r in monitoring.office_monitor(wave, sort).rows]

    assert names("completion") == ["二号站", "三号站", "一号站"]
    assert names("-completion") == ["一号站", "三号站", "二号站"]
    assert names("response_rate")[0] == "二号站"  # the only one with a rate; others last
    default = names("region")
    assert (
        names("no-such-sort") == default and monitoring.office_monitor(wave, "x").sort == "region"
    )
    assert default[:2] == sorted(default[:2])  # region 1 first, by name within it
    assert default[2] == "三号站"


def test_closed_wave_lagging_is_under_half(monitored, office):
    wave = services.wave_close(actor=office, wave=monitored["wave"])
    lagging = {r.quota.station.name: r.lagging for r in monitoring.office_monitor(wave).rows}
    assert lagging == {"一号站": False, "二号站": True, "三号站": False}


# --- strata ------------------------------------------------------------------------------------


def test_strata_from_standard_answers(office, standard_version, station_a):
    wave = make_wave(office, standard_version, code="STD-1")
    quota = services.quota_set(
        actor=office, wave=wave, station=station_a, target=20,
        strata={"title": {"senior": 2, "junior": 5}, "age_group": {"lt35": 6}, "sex": {"F": 4}},
    )  # fmt: skip
    year = wave.opens_at.astimezone(monitoring.FIELD_TZ).year
    make_responses(wave, station_a, 3, answers={"A4": "1", "A2": year - 30, "A1": "2"})
    make_responses(wave, station_a, 2, answers={"A4": "4", "A2": year - 40})
    make_responses(wave, station_a, 1, answers={"A4": "5", "A2": year - 60, "A1": "1"})
    make_responses(wave, station_a, 1, answers={"A2": "not a year"})
    make_responses(wave, station_a, 4, status="partial", answers={"A4": "1"})  # not counted
    quota = StationQuota.objects.select_related("wave__instrument_version", "station").get(
        pk=quota.pk
    )
    strata = {s.dimension: s for s in monitoring.strata_progress(quota, 7)}
    title = {lv.code: lv for lv in strata["title"].levels}
    assert [lv.code for lv in strata["title"].levels] == [
        "senior", "associate", "intermediate", "junior", "none",
    ]  # fmt: skip
    assert (title["senior"].completes, title["senior"].target) == (3, 2)
    assert title["senior"].percent_of_target == pytest.approx(150.0)
    assert (title["junior"].completes, title["none"].completes) == (2, 1)
    assert title["associate"].target is None and strata["title"].unknown == 1
    ages = {lv.code: lv.completes for lv in strata["age_group"].levels}
    assert ages == {"lt35": 3, "35-44": 2, "45-54": 0, "55plus": 1}
    assert strata["age_group"].unknown == 1
    sexes = {lv.code: lv.completes for lv in strata["sex"].levels}
    assert sexes == {"F": 3, "M": 1} and strata["sex"].unknown == 3


def test_strata_not_available_without_the_standard_items(office, published_version, station_a):  # noqa: F811
    wave = make_wave(office, published_version)
    quota = services.quota_set(
        actor=office, wave=wave, station=station_a, target=10, strata={"title": {"senior": 2}}
    )
    make_responses(wave, station_a, 2, answers={"A1": "1"})  # A1 here is not "sex"
    (stratum,) = monitoring.strata_progress(quota, 2)
    assert stratum.available is False and stratum.levels == []


def test_sector_stratum_is_the_stations_own(office, published_version, station_a):  # noqa: F811
    wave = make_wave(office, published_version)
    own = station_a.sector.code
    quota = services.quota_set(
        actor=office, wave=wave, station=station_a, target=10, strata={"sector": {own: 8}}
    )
    (stratum,) = monitoring.strata_progress(quota, 6)
    assert stratum.available and [(lv.code, lv.completes) for lv in stratum.levels] == [(own, 6)]


@pytest.mark.parametrize(
    ("year", "group"),
    [
        (1992, "lt35"),
        (1991, "35-44"),
        (1982, "35-44"),
        (1981, "45-54"),
        (1972, "45-54"),
        (1971, "55plus"),
        (None, None),
        ("x", None),
    ],
)
def test_age_group(year, group):
    assert monitoring.age_group(year, 2026) == group


# --- chart -------------------------------------------------------------------------------------


def test_daily_chart_geometry():
    days = [
        monitoring.DayCount(date(2026, 1, 1) + timedelta(i), n, c)
        for i, (n, c) in enumerate([(0, 0), (4, 4), (10, 14), (3, 17)])
    ]
    chart = daily_chart(days, target=40)
    assert len(chart.bars) == 4 and chart.bars[0].height == 0
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.height == pytest.approx(chart.plot_height)  # 10 → axis max 10
    assert tallest.y == pytest.approx(chart.top)
    assert chart.target_y == pytest.approx(chart.top + chart.plot_height * (1 - 40 / 50))
    assert len(chart.line_points.split()) == 4
    assert [label.text for label in chart.right_labels] == ["0", "50", "40"]
    assert [label.text for label in daily_chart(days, target=50).right_labels] == ["0", "50"]
    assert [label.text for label in chart.x_labels] == ["01-01", "01-02", "01-03", "01-04"]
    many = [monitoring.DayCount(date(2026, 1, 1) + timedelta(i), 1, i + 1) for i in range(60)]
    assert len(daily_chart(many, None).x_labels) <= 8
    assert daily_chart(many, None).target_y is None


def test_wave_status_values_are_known():
    # The lagging rule depends on these names; fail loudly if the lifecycle is renamed.
    assert {"draft", "open", "closed", "analysed"} == set(WaveStatus.values)
