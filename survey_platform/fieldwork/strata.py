"""Completes by stratum (title, sex, age group) for the station dashboard.

Strata come from answers of the standard questionnaire: professional title from A4
through ``TITLE_BY_A4``, sex from A1 through ``SEX_BY_A1``, age group from the birth year
in A2 (age reached in the year the wave opens). When the wave's questionnaire lacks the
item with the standard codes, the stratum is "not available". Counting is done in the
database (grouped JSON key values), never by looping over responses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.fields.json import KeyTransform
from django.utils.translation import gettext_lazy as _

from instruments.schema import ItemType
from instruments.selectors import schema_of
from survey_platform.network.models import (
    AGE_GROUP_LEVELS,
    SEX_LEVELS,
    TITLE_LEVELS,
    MarginDimension,
)

from .models import FIELD_TZ, Response, ResponseStatus, StationQuota, Wave

#: Standard questionnaire A4 「您目前的专业技术职称」 (choice list ``title``) → margin level.
TITLE_BY_A4 = {"1": "senior", "2": "associate", "3": "intermediate", "4": "junior", "5": "none"}
#: Standard questionnaire A1 「您的性别」 (choice list ``sex``: 1 男, 2 女) → margin level.
SEX_BY_A1 = {"1": "M", "2": "F"}


# --- completes by stratum ------------------------------------------------------------------


@dataclass(frozen=True)
class StratumLevel:
    code: str
    label: str
    target: int | None
    completes: int

    @property
    def percent_of_target(self) -> float | None:
        return 100.0 * self.completes / self.target if self.target else None


@dataclass(frozen=True)
class StratumProgress:
    dimension: str
    label: str
    available: bool
    levels: list[StratumLevel] = field(default_factory=list)
    unknown: int = 0  # completes whose answer is missing or outside the mapping


def age_group(birth_year: object, reference_year: int) -> str | None:
    """Margin age group of a birth year (age reached in the wave's year)."""
    try:
        age = reference_year - int(birth_year)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    if age < 0 or age > 120:
        return None
    if age < 35:
        return "lt35"
    if age < 45:
        return "35-44"
    if age < 55:
        return "45-54"
    return "55plus"


def _mapper(wave: Wave, dimension: str) -> tuple[str, Callable[[object], str | None]] | None:
    """(answer code, answer value → level) for a dimension, or None when the wave's
    questionnaire does not carry the item as the standard questionnaire does."""
    schema = schema_of(wave.instrument_version)
    items = {item.code: item for item in schema.items}

    def single(code: str, mapping: dict[str, str]) -> Callable[[object], str | None] | None:
        item = items.get(code)
        if item is None or item.type != ItemType.SINGLE:
            return None
        lists = {cl.name: cl for cl in schema.choice_lists}
        choices = lists.get(item.choices) if isinstance(item.choices, str) else None
        if choices is None or set(choices.codes) != set(mapping):
            return None
        return lambda value: mapping.get(str(value)) if value is not None else None

    if dimension == MarginDimension.TITLE:
        fn = single("A4", TITLE_BY_A4)
        return ("A4", fn) if fn else None
    if dimension == MarginDimension.SEX:
        fn = single("A1", SEX_BY_A1)
        return ("A1", fn) if fn else None
    if dimension == MarginDimension.AGE_GROUP:
        item = items.get("A2")
        if item is None or item.type not in (ItemType.YEAR, ItemType.INTEGER):
            return None
        year = wave.opens_at.astimezone(FIELD_TZ).year
        return "A2", lambda value: age_group(value, year)
    return None


_LEVEL_LABELS = {
    MarginDimension.TITLE: TITLE_LEVELS,
    MarginDimension.SEX: SEX_LEVELS,
    MarginDimension.AGE_GROUP: AGE_GROUP_LEVELS,
}


def strata_progress(quota: StationQuota, completes: int) -> list[StratumProgress]:
    """Completes against each per-stratum target of the quota; one grouped query per
    answer-based dimension (answer value → count), mapped to levels in Python. Sector and
    region are the station's own: all its ``completes`` fall in one level."""
    result = []
    for dimension, targets in quota.strata.items():
        label = str(_dimension_label(dimension))
        if dimension in (MarginDimension.SECTOR, MarginDimension.REGION):
            result.append(_own_level(quota, dimension, label, targets, completes))
            continue
        levels_of = _LEVEL_LABELS.get(dimension)
        found = _mapper(quota.wave, dimension) if levels_of is not None else None
        if levels_of is None or found is None:
            result.append(StratumProgress(dimension, label, available=False))
            continue
        code, to_level = found
        counts: dict[str, int] = defaultdict(int)
        unknown = 0
        rows = (
            Response.objects.filter(
                wave_id=quota.wave_id, station_id=quota.station_id, status=ResponseStatus.COMPLETE
            )
            .values(value=KeyTransform(code, "answers"))
            .annotate(n=Count("*"))
            .order_by()
        )
        for row in rows:
            level = to_level(row["value"])
            if level is None:
                unknown += row["n"]
            else:
                counts[level] += row["n"]
        levels = [
            StratumLevel(level, str(name), targets.get(level), counts.get(level, 0))
            for level, name in levels_of.items()
        ]
        result.append(StratumProgress(dimension, label, True, levels, unknown))
    return result


def _own_level(
    quota: StationQuota, dimension: str, label: str, targets: dict[str, int], completes: int
) -> StratumProgress:
    own = quota.station.sector if dimension == MarginDimension.SECTOR else quota.station.region
    codes = list(targets) + ([own.code] if own.code not in targets else [])
    levels = [
        StratumLevel(
            code,
            str(own) if code == own.code else code,
            targets.get(code),
            completes if code == own.code else 0,
        )
        for code in codes
    ]
    return StratumProgress(dimension, label, True, levels)


def _dimension_label(dimension: str) -> object:
    try:
        return MarginDimension(dimension).label
    except ValueError:
        return _("Unknown stratum “%(d)s”") % {"d": dimension}
