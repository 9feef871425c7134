"""``GrievanceTable``: the common grievances of a wave, ready for JSON and briefings.

Everything in it has passed the small-cell rules (DESIGN.md §7): a blank figure is
``None`` (never NaN), ``to_dict()`` gives plain JSON types and ``from_dict()`` rebuilds
an equal table. Labels are ``{"zh-hans": ..., "en": ...}`` dicts.

Per code (:class:`GrievanceRow`), in rank order (ranked codes first, then the others):

* ``n`` respondents with a determinable indicator, ``count`` of them naming it;
  ``prevalence`` (weighted share) with ``se``, 95% ``ci_l``/``ci_u`` (svyciprop logit
  interval on the design's degrees of freedom ``df``);
* ``intensity`` — among respondents naming it, the weighted mean of 1 / (number of ranked
  grievances they name): the share of their complaints this one takes up (1 = it is
  their only grievance; J1 is not ranked, so a stated order is not available), with a
  t interval;
* ``breadth`` — the mean of ``breadth_stations`` and ``breadth_sectors``: the share of
  stations (sectors) with at least k respondents where the code's prevalence reaches
  ``settings.breadth_threshold`` or it is among the ``settings.local_top`` most named
  codes there, counting only codes named by at least k respondents of the unit
  (``stations_present`` of ``stations_counted``);
* ``score`` = prevalence x (0.5 + 0.5 x breadth) and ``rank`` (ties: higher CI lower
  bound first, then code); ``common`` when ranked and breadth >= ``common_breadth``;
* ``change`` against the previous comparable wave (independent samples, normal test,
  Benjamini-Hochberg over the codes compared);
* ``hotspots`` — domains (sector, region, title, age group) whose prevalence is
  significantly above the rest of the sample (BH over every domain-vs-rest test of the
  table);
* ``model`` — odds ratios from a design-based logistic model on sector, age group, title
  and region (reference: each variable's largest level; BH within the model);
* ``quotes`` — scrubbed open answers with the highest classifier scores, at most one per
  station before a second one, only from stations with at least k respondents.

``themes`` are the emerging themes of unclassified open answers (at least k answers each).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = [
    "SCHEMA",
    "Change",
    "GrievanceRow",
    "GrievanceTable",
    "Hotspot",
    "ModelSummary",
    "OddsRatio",
    "QuoteRow",
    "ThemeRow",
]

SCHEMA = 1
Labels = dict[str, str]


def clean(value: Any) -> Any:
    """A float for JSON: None for NaN or infinity, plain float otherwise."""
    if value is None:
        return None
    v = float(value)
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class Change:
    previous: float | None
    previous_n: int | None
    difference: float | None
    se: float | None
    ci_l: float | None
    ci_u: float | None
    p_value: float | None
    p_adjusted: float | None
    significant: bool


@dataclass(frozen=True)
class Hotspot:
    by: str
    by_label: Labels
    domain: str
    domain_label: Labels
    n: int
    prevalence: float | None
    ci_l: float | None
    ci_u: float | None
    rest: float | None
    difference: float | None
    diff_ci_l: float | None
    diff_ci_u: float | None
    p_value: float | None
    p_adjusted: float | None


@dataclass(frozen=True)
class OddsRatio:
    variable: str
    level: str
    level_label: Labels
    reference: str
    reference_label: Labels
    n: int
    odds_ratio: float | None
    ci_l: float | None
    ci_u: float | None
    p_value: float | None
    p_adjusted: float | None


@dataclass(frozen=True)
class ModelSummary:
    n: int | None
    terms: tuple[OddsRatio, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class QuoteRow:
    text: str
    score: float | None
    sector: str | None
    sector_label: Labels = field(default_factory=dict)


@dataclass(frozen=True)
class GrievanceRow:
    code: str
    label: Labels
    policy_area: Labels
    suggested_action: Labels
    ranked: bool
    rank: int | None
    score: float | None
    common: bool
    suppressed: bool
    n: int | None
    count: int | None
    prevalence: float | None
    se: float | None
    ci_l: float | None
    ci_u: float | None
    df: int | None
    intensity: float | None
    intensity_ci_l: float | None
    intensity_ci_u: float | None
    breadth: float | None
    breadth_stations: float | None
    breadth_sectors: float | None
    stations_counted: int
    stations_present: int
    sectors_counted: int
    sectors_present: int
    change: Change | None = None
    hotspots: tuple[Hotspot, ...] = ()
    model: ModelSummary | None = None
    quotes: tuple[QuoteRow, ...] = ()


@dataclass(frozen=True)
class ThemeRow:
    terms: tuple[str, ...]
    size: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class GrievanceTable:
    taxonomy_version: str
    wave: str
    previous_wave: str | None
    k: int
    level: float
    n_respondents: int
    n_determinable: int
    n_open_answers: int
    n_unclassified: int
    rows: tuple[GrievanceRow, ...]
    themes: tuple[ThemeRow, ...] = ()
    settings: dict[str, float] = field(default_factory=dict)
    missing_items: tuple[str, ...] = ()
    schema: int = SCHEMA

    def row(self, code: str) -> GrievanceRow:
        for r in self.rows:
            if r.code == code:
                return r
        raise KeyError(code)

    @property
    def ranked(self) -> tuple[GrievanceRow, ...]:
        """Ranked rows with a rank, best first."""
        return tuple(r for r in self.rows if r.rank is not None)

    @property
    def common(self) -> tuple[GrievanceRow, ...]:
        return tuple(r for r in self.ranked if r.common)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (lists, dicts, str, int, float, bool, None; never NaN)."""
        plain: dict[str, Any] = _plain(asdict(self))
        return plain

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GrievanceTable:
        table: GrievanceTable = _build(cls, data)
        return table


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return clean(value)
    return value


_NESTED: dict[type, dict[str, tuple[type, bool]]] = {
    GrievanceTable: {"rows": (GrievanceRow, True), "themes": (ThemeRow, True)},
    GrievanceRow: {
        "change": (Change, False),
        "hotspots": (Hotspot, True),
        "model": (ModelSummary, False),
        "quotes": (QuoteRow, True),
    },
    ModelSummary: {"terms": (OddsRatio, True)},
}
_TUPLES = {"missing_items", "terms", "examples"}


def _build(cls: type, data: dict[str, Any]) -> Any:
    nested = _NESTED.get(cls, {})
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name in nested and value is not None:
            sub, many = nested[f.name]
            value = tuple(_build(sub, v) for v in value) if many else _build(sub, value)
        elif f.name in _TUPLES and isinstance(value, list):
            value = tuple(value)
        elif isinstance(value, dict):
            value = dict(value)
        kwargs[f.name] = value
    return cls(**kwargs)
