"""Reads for live fieldwork monitoring: completes against quota, response rates, lagging.

Every figure is a database aggregate (Count with filters, TruncDate, grouped JSON key
values), so a page costs the same handful of queries at 200 responses or 200,000; Python
only loops over stations, days and answer codes, never over responses.

Definitions (shown to users on the pages):

- *completes* and *partials* are counted from the responses themselves (status
  complete / partial), the source the quota counter is kept in step with.
- *response rate* = invitations completed / invitations issued (all states, expired
  included): the completes received through answer codes. Completes through the open
  station link are left out because those respondents are not in the denominator; with
  no open link used this is simply completes / invitations. No invitations, no rate.
- *lagging*: while the wave is open, a station is lagging when its % of target is more
  than ``LAG_TOLERANCE_POINTS`` below the share of the fieldwork period already elapsed
  (e.g. half the period gone and under 35% of target). Once the wave is closed or
  analysed, a station is lagging when it ended below ``CLOSED_MIN_PERCENT`` of target. A
  draft wave has no laggards.
- *strata*: professional title from A4 through ``TITLE_BY_A4``, sex from A1 through
  ``SEX_BY_A1``, age group from the birth year in A2 (age reached in the year the wave
  opens). When the wave's questionnaire lacks the item with the standard codes, the
  stratum is "not available"; sector and region strata are the station's own.
- *days* are calendar days in Beijing time (``FIELD_TZ``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import (
    FIELD_TZ,
    Invitation,
    InvitationState,
    Response,
    ResponseStatus,
    StationQuota,
    Wave,
)
from .models import WaveStatus as Status
from .strata import SEX_BY_A1, TITLE_BY_A4, StratumProgress, age_group, strata_progress

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

__all__ = ["FIELD_TZ", "SEX_BY_A1", "TITLE_BY_A4", "age_group", "strata_progress"]

LAG_TOLERANCE_POINTS = 15.0
CLOSED_MIN_PERCENT = 50.0


SORTS = ("region", "station", "completion", "-completion", "response_rate")
DEFAULT_SORT = "region"


# --- per-station figures -----------------------------------------------------------------


@dataclass(frozen=True)
class StationFigures:
    quota: StationQuota
    completes: int = 0
    partials: int = 0
    invitations: int = 0
    invitations_completed: int = 0  # = completes through answer codes
    lagging: bool = False

    @property
    def target(self) -> int:
        return self.quota.target

    @property
    def percent_of_target(self) -> float:
        return 100.0 * self.completes / self.target if self.target else 0.0

    @property
    def response_rate(self) -> float | None:
        """Percent; None without invitations (nothing to divide by)."""
        return 100.0 * self.invitations_completed / self.invitations if self.invitations else None


# COUNT(*) or COUNT(<indexed column>), never COUNT(id): PostgreSQL indexes do not hold the
# primary key, so counting ids would visit every row instead of scanning the index only.


def _response_counts() -> dict[str, Count]:
    # Only columns of the (wave, station, status) index: counted from the index alone.
    return {
        "completes": Count("status", filter=Q(status=ResponseStatus.COMPLETE)),
        "partials": Count("status", filter=Q(status=ResponseStatus.PARTIAL)),
    }


def _invitation_counts() -> dict[str, Count]:
    return {
        "invitations": Count("*"),
        "invitations_completed": Count("state", filter=Q(state=InvitationState.COMPLETED)),
    }


def elapsed_share(wave: Wave, now: datetime | None = None) -> float:
    """Share (0–1) of the fieldwork period that has passed."""
    now = now or timezone.now()
    total = (wave.closes_at - wave.opens_at).total_seconds()
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, (now - wave.opens_at).total_seconds() / total))


def is_lagging(percent_of_target: float, wave: Wave, now: datetime | None = None) -> bool:
    if wave.status in (Status.CLOSED, Status.ANALYSED):
        return percent_of_target < CLOSED_MIN_PERCENT
    if wave.status != Status.OPEN:
        return False
    return percent_of_target < 100.0 * elapsed_share(wave, now) - LAG_TOLERANCE_POINTS


def _figures(
    quota: StationQuota, counts: dict[str, int], wave: Wave, now: datetime
) -> StationFigures:
    percent = 100.0 * counts["completes"] / quota.target if quota.target else 0.0
    return StationFigures(quota, lagging=is_lagging(percent, wave, now), **counts)


def station_figures(
    quota: StationQuota, states: dict[str, int], now: datetime | None = None
) -> StationFigures:
    """One station's figures; ``states`` (from invitation_states) gives the invitations."""
    counts = Response.objects.filter(wave_id=quota.wave_id, station_id=quota.station_id).aggregate(
        **_response_counts()
    )
    counts["invitations"] = sum(states.values())
    counts["invitations_completed"] = states[InvitationState.COMPLETED]
    return _figures(quota, counts, quota.wave, now or timezone.now())


def invitation_states(quota: StationQuota) -> dict[str, int]:
    """Invitations of the station in the wave by state, every state present (one query)."""
    counts = dict.fromkeys(InvitationState.values, 0)
    rows = (
        Invitation.objects.filter(wave_id=quota.wave_id, station_id=quota.station_id)
        .values("state")
        .annotate(n=Count("*"))
        .order_by()
    )
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


@dataclass(frozen=True)
class StationDashboard:
    figures: StationFigures
    invitation_states: dict[str, int]
    days: list[DayCount]
    strata: list[StratumProgress]


def station_dashboard(quota: StationQuota, now: datetime | None = None) -> StationDashboard:
    """Everything on a station's progress page: 3 queries plus one per answer-based stratum."""
    now = now or timezone.now()
    states = invitation_states(quota)
    figures = station_figures(quota, states, now)
    days = completes_per_day(quota.wave, quota.station_id, now)
    return StationDashboard(figures, states, days, strata_progress(quota, figures.completes))


# --- the office monitor --------------------------------------------------------------------


@dataclass
class Total:
    label: str
    stations: int = 0
    target: int = 0
    completes: int = 0
    partials: int = 0
    invitations: int = 0
    lagging: int = 0

    @property
    def percent_of_target(self) -> float:
        return 100.0 * self.completes / self.target if self.target else 0.0

    def add(self, row: StationFigures) -> None:
        self.stations += 1
        self.target += row.target
        self.completes += row.completes
        self.partials += row.partials
        self.invitations += row.invitations
        self.lagging += int(row.lagging)


@dataclass
class OfficeMonitor:
    wave: Wave
    rows: list[StationFigures]
    sort: str
    elapsed_percent: float
    total: Total
    by_region: list[Total] = field(default_factory=list)
    by_sector: list[Total] = field(default_factory=list)


def wave_station_figures(wave: Wave, now: datetime | None = None) -> list[StationFigures]:
    """Every station of the wave, in region and name order. Three queries in all."""
    now = now or timezone.now()
    quotas = list(
        StationQuota.objects.filter(wave=wave)
        .select_related("station__region", "station__sector")
        .order_by("station__region__code", "station__name", "pk")
    )
    responses = _by_station(
        Response.objects.filter(wave=wave)
        .values("station_id")
        .annotate(**_response_counts())
        .order_by()
    )
    invitations = _by_station(
        Invitation.objects.filter(wave=wave)
        .values("station_id")
        .annotate(**_invitation_counts())
        .order_by()
    )
    zero = {"completes": 0, "partials": 0, "invitations": 0, "invitations_completed": 0}
    return [
        _figures(
            q, zero | responses.get(q.station_id, {}) | invitations.get(q.station_id, {}), wave, now
        )
        for q in quotas
    ]


def _by_station(rows: Iterable[Mapping[str, Any]]) -> dict[int, dict[str, int]]:
    """Count rows grouped by station, as {station_id: {count name: count}}."""
    return {
        row["station_id"]: {name: n for name, n in row.items() if name != "station_id"}
        for row in rows
    }


_SORT_KEYS: dict[str, Callable[[StationFigures], SupportsRichComparison]] = {
    "station": lambda r: r.quota.station.name,
    "completion": lambda r: (r.percent_of_target, r.quota.station.name),
    "-completion": lambda r: (-r.percent_of_target, r.quota.station.name),
    # No invitations sorts last: there is no rate to compare.
    "response_rate": lambda r: (r.response_rate is None, r.response_rate or 0.0),
}


def office_monitor(
    wave: Wave, sort: str = DEFAULT_SORT, now: datetime | None = None
) -> OfficeMonitor:
    """The office's table for a wave. ``sort`` is one of SORTS (anything else: default)."""
    now = now or timezone.now()
    rows = wave_station_figures(wave, now)
    sort = sort if sort in SORTS else DEFAULT_SORT
    if sort in _SORT_KEYS:
        rows.sort(key=_SORT_KEYS[sort])  # stable: ties keep the region order
    total = Total("")
    for row in rows:
        total.add(row)
    by_region = _totals(rows, lambda r: r.quota.station.region)
    by_sector = _totals(rows, lambda r: r.quota.station.sector)
    elapsed = 100.0 * elapsed_share(wave, now)
    return OfficeMonitor(wave, rows, sort, elapsed, total, by_region, by_sector)


def _totals(rows: Iterable[StationFigures], group: Callable[[StationFigures], Any]) -> list[Total]:
    groups: dict[object, Total] = {}
    for row in rows:
        key = group(row)
        groups.setdefault(key, Total(str(key))).add(row)
    ordered = sorted(groups, key=lambda k: (getattr(k, "order", 0), getattr(k, "code", "")))
    return [groups[k] for k in ordered]


# --- completes per day ---------------------------------------------------------------------


@dataclass(frozen=True)
class DayCount:
    day: date
    completes: int
    cumulative: int


#: Longest series counted as day ranges (one scalar subquery per day in a single query).
MAX_RANGE_DAYS = 400


def completes_per_day(
    wave: Wave, station_id: int | None = None, now: datetime | None = None
) -> list[DayCount]:
    """Completes by calendar day in Asia/Shanghai, every day of the period so far (zeros
    included), extended to any day with completes outside it. One query (two when some
    completes fall outside the period)."""
    now = now or timezone.now()
    first = wave.opens_at.astimezone(FIELD_TZ).date()
    last = min(wave.closes_at, now).astimezone(FIELD_TZ).date()
    completes = Response.objects.filter(wave_id=wave.pk, status=ResponseStatus.COMPLETE)
    if station_id is not None:
        found = _counts_by_day(completes.filter(station_id=station_id))
    elif 0 <= (last - first).days < MAX_RANGE_DAYS:
        found = _counts_by_day_range(wave, completes, first, last)
    else:
        found = _counts_by_day(completes)
    if found:
        first, last = min(first, *found), max(last, *found)
    days, running = [], 0
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        running += found.get(day, 0)
        days.append(DayCount(day, found.get(day, 0), running))
    return days


def _counts_by_day(completes: QuerySet[Response]) -> dict[date, int]:
    """GROUP BY the Beijing-time date: right for one station's few thousand rows. Over a
    whole wave SQLite would convert each row's time zone in Python (seconds at 200k)."""
    rows = (
        completes.annotate(day=TruncDate("submitted_at", tzinfo=FIELD_TZ))
        .values("day")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("day", "n")
    )
    return {day: n for day, n in rows if day is not None}


def _counts_by_day_range(
    wave: Wave, completes: QuerySet[Response], first: date, last: date
) -> dict[date, int]:
    """A whole wave: one scalar COUNT per day between Beijing midnights, each a range
    scan of the (wave, status, submitted_at) index — no per-row time-zone work, about
    20× faster than grouping on SQLite. Completes outside the period (there should be
    none) are then grouped by _counts_by_day."""
    bounds = [
        datetime.combine(first + timedelta(days=i), time.min, tzinfo=FIELD_TZ)
        for i in range((last - first).days + 2)
    ]

    def count(where: Q) -> Subquery:
        rows = completes.filter(where).order_by().values("wave_id").annotate(n=Count("*"))
        return Subquery(rows.values("n"))

    exprs = {
        f"d{i}": count(Q(submitted_at__gte=lo, submitted_at__lt=hi))
        for i, (lo, hi) in enumerate(pairwise(bounds))
    }
    # Two one-sided ranges, not one OR: an OR would scan the whole wave's index.
    exprs["before"] = count(Q(submitted_at__lt=bounds[0]))
    exprs["after"] = count(Q(submitted_at__gte=bounds[-1]))
    row = Wave.objects.filter(pk=wave.pk).annotate(**exprs).values(*exprs).get()
    found = {first + timedelta(days=i): row[f"d{i}"] for i in range(len(bounds) - 1)}
    found = {day: n for day, n in found.items() if n}
    if row["before"] or row["after"]:
        outside = Q(submitted_at__lt=bounds[0]) | Q(submitted_at__gte=bounds[-1])
        found.update(_counts_by_day(completes.filter(outside)))
    return found
