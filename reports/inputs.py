"""What a briefing is made of: plain, published (suppressed) figures of a wave.

:class:`BriefingInputs` gathers the grievance table and its sector cells
(:func:`survey_platform.fieldwork.grievances.wave_grievance_report`), whole-sample means of
the wave table (:func:`~survey_platform.fieldwork.dataset.wave_table_for`), the fieldwork
figures (:mod:`survey_platform.fieldwork.monitoring`), the weighting and the trend over
earlier waves. Everything in it has passed :func:`analysis.suppression.suppress`: the
grievance table, the sector cells and the wave table are published tables, and the trend
is read from the earlier waves' published tables. The content builder
(:mod:`reports.content`) takes only this object, so it never touches responses.

Trend waves: up to :data:`TREND_WAVES` waves — this one and the closed or analysed waves
that opened before it. A grievance's point of an earlier wave is kept only when that
wave's questionnaire asked every item the grievance's rules read (a quick survey without
the funding items says nothing comparable about G01), so a line never dips because a
question was missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

import analysis as an
from analysis.grievances import Condition, GrievanceTable, Group, Taxonomy, load_taxonomy
from analysis.table import PUBLISHED
from survey_platform.core.errors import SurveyError
from survey_platform.fieldwork.dataset import DatasetUnavailable, wave_dataset, wave_table_for
from survey_platform.fieldwork.dataset_weights import TRIM, margins_for_wave
from survey_platform.fieldwork.grievances import wave_grievance_report, wave_grievance_table
from survey_platform.fieldwork.models import FIELD_TZ, Wave, WaveStatus
from survey_platform.fieldwork.monitoring import wave_station_figures

TREND_WAVES = 6
#: Whole-sample means quoted in the key findings (weekly hours, share of time on research).
MEANS = ("B1", "B2")

Progress = Callable[[int, str], None]


class TooFewResponses(SurveyError):
    """The wave has fewer analysable responses than a briefing needs."""


@dataclass(frozen=True)
class Estimate:
    value: float
    ci_l: float | None
    ci_u: float | None
    n: int


@dataclass(frozen=True)
class TrendPoint:
    wave: str
    share: float | None  # None: not comparable or suppressed in that wave
    ci_l: float | None = None
    ci_u: float | None = None
    n: int | None = None


@dataclass(frozen=True)
class Fieldwork:
    code: str
    title: str
    title_en: str
    opens: date
    closes: date
    stations: int
    sectors: int
    regions: int
    target: int
    completes: int
    invitations: int
    invitations_completed: int
    analysed: int


@dataclass(frozen=True)
class Weighting:
    year: int | None
    dims: tuple[str, ...]
    trim: tuple[float, float]
    deff: float


@dataclass(frozen=True)
class BriefingInputs:
    fieldwork: Fieldwork
    weighting: Weighting
    table: GrievanceTable
    sectors: dict[str, Any]
    means: dict[str, Estimate] = field(default_factory=dict)
    trend_waves: tuple[str, ...] = ()
    trend: dict[str, tuple[TrendPoint, ...]] = field(default_factory=dict)


def minimum_responses() -> int:
    return int(getattr(settings, "BRIEFING_MIN_RESPONSES", 100))


def check_minimum(wave: Wave, analysed: int) -> None:
    need = minimum_responses()
    if analysed < need:
        raise TooFewResponses(
            _(
                "Wave %(code)s has %(count)s analysable responses; a briefing needs at least "
                "%(minimum)s (setting BRIEFING_MIN_RESPONSES)."
            )
            % {"code": wave.code, "count": analysed, "minimum": need}
        )


def briefing_inputs(wave: Wave, progress: Progress | None = None) -> BriefingInputs:
    """Everything the briefing of ``wave`` quotes (DatasetUnavailable, TooFewResponses)."""
    step = progress or (lambda _pct, _stage: None)
    ds = wave_dataset(wave)
    check_minimum(wave, ds.n)
    step(20, gettext_noop("Analysing the grievances"))
    report = wave_grievance_report(wave)
    step(45, gettext_noop("Estimating the wave table"))
    try:
        means = published_means(wave_table_for(wave), MEANS)
    except DatasetUnavailable:
        means = {}
    step(55, gettext_noop("Comparing with earlier waves"))
    waves, trend = trend_series(wave, report.table)
    return BriefingInputs(
        fieldwork=fieldwork_facts(wave, ds.n),
        weighting=weighting_facts(wave, ds),
        table=report.table,
        sectors=report.sectors,
        means=means,
        trend_waves=waves,
        trend=trend,
    )


def published_means(table: an.EstimateTable, variables: Iterable[str]) -> dict[str, Estimate]:
    """Whole-sample means of ``variables`` that the (suppressed) table publishes."""
    if table.k is None:
        raise ValueError("only a suppressed table may be quoted")
    out: dict[str, Estimate] = {}
    for var in variables:
        hits = np.flatnonzero(
            (table.variable == var) & (table.by == "") & (table.statistic == "mean")
        )
        for i in hits:
            if table.flag[i] == PUBLISHED and np.isfinite(table.estimate[i]):
                out[var] = Estimate(
                    float(table.estimate[i]),
                    _finite(table.ci_l[i]),
                    _finite(table.ci_u[i]),
                    int(table.n[i]),
                )
    return out


def _finite(x: Any) -> float | None:
    return float(x) if np.isfinite(x) else None


def fieldwork_facts(wave: Wave, analysed: int) -> Fieldwork:
    rows = wave_station_figures(wave)
    stations = [r.quota.station for r in rows]
    return Fieldwork(
        code=wave.code,
        title=wave.title,
        title_en=wave.title_en or wave.title,
        opens=wave.opens_at.astimezone(FIELD_TZ).date(),
        closes=min(wave.closes_at, timezone.now()).astimezone(FIELD_TZ).date(),
        stations=len(rows),
        sectors=len({s.sector_id for s in stations}),
        regions=len({s.region_id for s in stations}),
        target=sum(r.target for r in rows),
        completes=sum(r.completes for r in rows),
        invitations=sum(r.invitations for r in rows),
        invitations_completed=sum(r.invitations_completed for r in rows),
        analysed=analysed,
    )


def weighting_facts(wave: Wave, ds: an.Dataset) -> Weighting:
    margins = margins_for_wave(wave)
    dims = tuple(d for d in margins.totals if d in ds.columns)
    return Weighting(margins.year, dims, TRIM, float(an.kish_deff(ds.weights)))


def rule_items(taxonomy: Taxonomy, code: str) -> frozenset[str]:
    """The questionnaire items a grievance's closed rules read (matrix rows included)."""
    found: set[str] = set()

    def walk(rule: Condition | Group) -> None:
        if isinstance(rule, Condition):
            found.add(rule.item)
        else:
            for part in rule.parts:
                walk(part)

    for rule in taxonomy[code].rules:
        walk(rule)
    return frozenset(found)


def trend_series(
    wave: Wave, table: GrievanceTable, taxonomy: Taxonomy | None = None
) -> tuple[tuple[str, ...], dict[str, tuple[TrendPoint, ...]]]:
    """The trend waves (oldest first, ``wave`` last) and each ranked code's points."""
    earlier = list(
        Wave.objects.filter(
            opens_at__lt=wave.opens_at, status__in=(WaveStatus.CLOSED, WaveStatus.ANALYSED)
        ).order_by("-opens_at")[: TREND_WAVES - 1]
    )
    tables: list[GrievanceTable] = []
    for other in reversed(earlier):
        try:
            tables.append(wave_grievance_table(other))
        except SurveyError:  # not analysable (no responses, no weights): no point
            continue
    return trend_from_tables([*tables, table], taxonomy or load_taxonomy())


def trend_from_tables(
    tables: list[GrievanceTable], taxonomy: Taxonomy
) -> tuple[tuple[str, ...], dict[str, tuple[TrendPoint, ...]]]:
    """Per ranked code of the last table, its point in each table (see module docs)."""
    current = tables[-1]
    trend: dict[str, tuple[TrendPoint, ...]] = {}
    for row in current.ranked:
        items = rule_items(taxonomy, row.code)
        points = []
        for t in tables:
            other = next((r for r in t.rows if r.code == row.code), None)
            comparable = other is not None and not items & set(t.missing_items)
            if not comparable or other is None or other.prevalence is None:
                points.append(TrendPoint(t.wave, None))
                continue
            points.append(TrendPoint(t.wave, other.prevalence, other.ci_l, other.ci_u, other.n))
        trend[row.code] = tuple(points)
    return tuple(t.wave for t in tables), trend
