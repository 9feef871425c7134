"""The weights of a wave's dataset: frame sizes, population margins, raking and trimming.

Base weight of a respondent: the station's frame size over the station's analysable
completes (the rows of the dataset, not ``StationQuota.completes``, which also counts
responses the analysis leaves out). The base weights are raked to the ``PopulationMargin``
totals of the wave's reference year, the latest ``reference_year`` not after the year the
wave opens, in every dimension that year has totals for; then weights outside
``TRIM`` x the mean weight are cut and the weights raked again (``analysis.weights_for_wave``).
Without margins for any year up to then the base weights are used as they are.

Raking needs every respondent's level of each raked dimension. Sector and region come from
the station, so they are always known; sex, title and age group come from required items
and are missing only for an invalid answer. For weighting only, such a respondent counts
in the most common level of that dimension at their station (over the whole sample if
nobody at the station has one); the dataset itself keeps the missing value, and the
number counted so is reported (``imputed``). A dimension the questionnaire does not ask
(a quick survey without the birth year) is left out of the raking and reported
(``skipped``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone

import analysis as an
from survey_platform.network.models import PopulationMargin

from .models import Wave

#: Trimming bounds as multiples of the mean weight (analysis' convention).
TRIM = (0.3, 3.0)

Margins = dict[str, dict[str, float]]


@dataclass(frozen=True)
class WaveMargins:
    """The population totals a wave is raked to (empty: no margins, base weights only)."""

    year: int | None
    totals: Margins

    @property
    def digest(self) -> str:
        data = json.dumps([self.year, self.totals], sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()


def wave_reference_year(wave: Wave) -> int:
    """The calendar year the wave opens (local time): ages and margins refer to it."""
    return timezone.localtime(wave.opens_at).year


def margins_for_wave(wave: Wave) -> WaveMargins:
    """The margins of the latest reference year not after the wave's opening year."""
    year = wave_reference_year(wave)
    rows = list(
        PopulationMargin.objects.filter(reference_year__lte=year)
        .order_by("-reference_year", "dimension", "level")
        .values_list("reference_year", "dimension", "level", "total")
    )
    if not rows:
        return WaveMargins(None, {})
    latest = rows[0][0]
    totals: Margins = {}
    for ref, dim, level, total in rows:
        if ref == latest:
            totals.setdefault(dim, {})[level] = float(total)
    return WaveMargins(latest, totals)


@dataclass(frozen=True)
class WeightReport:
    weights: an.WaveWeights
    margins: WaveMargins
    raked: tuple[str, ...]
    skipped: tuple[str, ...]
    imputed: dict[str, int] = field(default_factory=dict)


def weigh(ds: an.Dataset, frame_sizes: Mapping[str, float], margins: WaveMargins) -> WeightReport:
    """Weights for the rows of ``ds`` (its ``station`` levels are the keys of
    ``frame_sizes``), raked to ``margins`` and trimmed to ``TRIM``."""
    station = ds.factor("station")
    arrays: dict[str, an.Factor] = {}
    raked: list[str] = []
    skipped: list[str] = []
    imputed: dict[str, int] = {}
    for dim in margins.totals:
        if dim not in ds.columns:
            skipped.append(dim)
            continue
        fac, count = _fill_missing(ds.factor(dim), station)
        arrays[dim] = fac
        raked.append(dim)
        if count:
            imputed[dim] = count
    totals = {dim: margins.totals[dim] for dim in raked}
    result = an.weights_for_wave(
        station, frame_sizes, totals, arrays, trim=TRIM if totals else None
    )
    return WeightReport(result, margins, tuple(raked), tuple(skipped), imputed)


def _fill_missing(fac: an.Factor, station: an.Factor) -> tuple[an.Factor, int]:
    """Missing levels replaced by the station's most common level (see module docs)."""
    missing = fac.codes < 0
    count = int(missing.sum())
    if not count:
        return fac, 0
    k = fac.n_levels
    ok = ~missing
    overall = int(np.argmax(np.bincount(fac.codes[ok], minlength=k))) if ok.any() else 0
    flat = np.bincount(station.codes[ok] * k + fac.codes[ok], minlength=station.n_levels * k)
    per = flat.reshape(station.n_levels, k)
    mode = np.where(per.sum(axis=1) > 0, per.argmax(axis=1), overall)
    codes = np.where(missing, mode[station.codes], fac.codes)
    return an.Factor(codes, fac.levels), count
