"""A wave's weights in one call, and the diagnostics reported with them (DESIGN.md §7).

``weights_for_wave``: the base weight of each respondent is the station's frame size over
its completes; the base weights are raked to the population margins; when ``trim`` is
given, weights outside ``[lower, upper] x mean weight`` are cut to the bound (the excess
spread proportionally over the others) and the weights raked again, until both the
margins and the bounds hold or ``max_cycles`` is reached (then the bounds hold and the
remaining margin misfit is reported). ``tolerance`` is relative, for both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from instruments.messages import gettext_noop

from ._arrays import Factor, FloatArray, as_factor
from .dataset import check_weights
from .design import Design
from .errors import AnalysisError
from .weighting import base_weights, rake, trim_weights

#: Margins of different dimensions must describe the same population to this tolerance.
_POPULATION_TOLERANCE = 1e-3


class WeightDiagnostics(NamedTuple):
    """A tuple ``(n, sum, min, max, mean, cv, kish_deff)`` with named fields."""

    n: int
    sum: float
    min: float
    max: float
    mean: float
    cv: float
    kish_deff: float

    def as_dict(self) -> dict[str, float]:
        return dict(self._asdict())


def weight_diagnostics(weights: Any) -> WeightDiagnostics:
    """Count, total, range, mean, coefficient of variation (population form) and Kish's
    design effect of unequal weighting 1 + cv^2 = n sum(w^2) / sum(w)^2."""
    w = check_weights(weights)
    mean = float(w.mean())
    cv = float(w.std() / mean)
    return WeightDiagnostics(
        n=int(w.size),
        sum=float(w.sum()),
        min=float(w.min()),
        max=float(w.max()),
        mean=mean,
        cv=cv,
        kish_deff=float(w.size * np.dot(w, w) / w.sum() ** 2),
    )


@dataclass(frozen=True, eq=False)
class WaveWeights:
    weights: FloatArray
    base: FloatArray
    diagnostics: WeightDiagnostics
    base_diagnostics: WeightDiagnostics
    cycles: int
    converged: bool
    trimmed: int
    margin_error: float


def weights_for_wave(
    station: Any,
    frame_size_by_station: Mapping[str, float],
    margins: Mapping[str, Mapping[str, float]],
    domain_arrays: Mapping[str, Any],
    trim: tuple[float, float] | None = None,
    *,
    max_cycles: int = 50,
    rake_maxit: int = 100,
    tolerance: float = 1e-6,
) -> WaveWeights:
    """Base weights, raking to ``margins`` (variable -> level -> population total; each
    variable's per-respondent levels in ``domain_arrays``) and optional trimming."""
    st = station if isinstance(station, Factor) else Factor.from_values(np.asarray(station))
    sizes = {str(k): float(v) for k, v in frame_size_by_station.items()}
    bad = [k for k, v in sizes.items() if not (np.isfinite(v) and v > 0)]
    if bad:
        raise AnalysisError(
            gettext_noop("The frame size of station {station} must be a positive number."),
            station=sorted(bad)[0],
        )
    base = base_weights(st, sizes)
    n = base.size
    rake_margins = _margins(margins, domain_arrays, n)
    if trim is not None:
        lower, upper = float(trim[0]), float(trim[1])
        if not (0 <= lower < 1 < upper):
            raise AnalysisError(
                gettext_noop(
                    "Trimming bounds are multiples of the mean weight: lower below 1, upper "
                    "above 1 (got {lower} and {upper})."
                ),
                lower=lower,
                upper=upper,
            )
    plain = Design.from_arrays(base, psu=st)  # each cycle starts uncalibrated
    cycles, converged, trimmed = 0, False, 0
    w = base
    while cycles < max_cycles:
        cycles += 1
        if rake_margins:
            raked = rake(plain.with_weights(w), rake_margins, maxit=rake_maxit, epsilon=1e-10)
            w = np.array(raked.weights)
        if trim is None:
            converged = True
            break
        mean = float(w.mean())
        lo, hi = lower * mean, upper * mean
        if np.all((w >= lo * (1 - tolerance)) & (w <= hi * (1 + tolerance))):
            converged = True
            break
        w = np.array(
            trim_weights(
                plain.with_weights(w),
                lower=lo,
                upper=hi,
                redistribute="proportional",
                strict=True,
            ).weights
        )
        trimmed = int(np.sum((w <= lo * (1 + 1e-9)) | (w >= hi * (1 - 1e-9))))
        if _misfit(w, rake_margins) < tolerance:
            converged = True  # trimmed weights that still fit the margins
            break
    return WaveWeights(
        weights=w,
        base=base,
        diagnostics=weight_diagnostics(w),
        base_diagnostics=weight_diagnostics(base),
        cycles=cycles,
        converged=converged,
        trimmed=trimmed,
        margin_error=_misfit(w, rake_margins),
    )


def _margins(
    margins: Mapping[str, Mapping[str, float]], arrays: Mapping[str, Any], n: int
) -> list[tuple[Factor, dict[str, float]]]:
    out: list[tuple[Factor, dict[str, float]]] = []
    populations: dict[str, float] = {}
    for var, totals in margins.items():
        if var not in arrays:
            raise AnalysisError(
                gettext_noop("There is a margin for {variable} but no such respondent variable."),
                variable=var,
            )
        fac = as_factor(arrays[var], n, var)
        missing = int((fac.codes < 0).sum())
        if missing:
            raise AnalysisError(
                gettext_noop(
                    "{variable} is missing for {count} respondents; raking needs it for all."
                ),
                variable=var,
                count=missing,
            )
        pop = {str(k): float(v) for k, v in totals.items()}
        for level, total in pop.items():
            if not (np.isfinite(total) and total >= 0):
                raise AnalysisError(
                    gettext_noop("The population total of {variable} = {level} is not valid."),
                    variable=var,
                    level=level,
                )
        counts = np.bincount(fac.codes, minlength=fac.n_levels)
        seen = {lv for lv, c in zip(fac.levels, counts, strict=True) if c > 0}
        for level in fac.levels:
            if level in seen and pop.get(level, 0.0) <= 0:
                raise AnalysisError(
                    gettext_noop(
                        "{variable} = {level} occurs in the data but has no population total."
                    ),
                    variable=var,
                    level=level,
                )
        for level, total in pop.items():
            if total > 0 and level not in seen:
                raise AnalysisError(
                    gettext_noop(
                        "{variable} = {level} has a population total but no respondents; "
                        "merge it with a neighbouring level."
                    ),
                    variable=var,
                    level=level,
                )
        populations[var] = sum(pop.values())
        out.append((fac, {lv: pop[lv] for lv in fac.levels if lv in seen}))
    if populations:
        sizes = list(populations.values())
        if max(sizes) - min(sizes) > _POPULATION_TOLERANCE * max(sizes):
            raise AnalysisError(
                gettext_noop("The margins disagree on the population size: {sizes}."),
                sizes=", ".join(f"{k} {v:,.0f}" for k, v in populations.items()),
            )
    return out


def _misfit(w: FloatArray, margins: list[tuple[Factor, dict[str, float]]]) -> float:
    """Largest relative gap between a weighted margin and its population total."""
    worst = 0.0
    for fac, pop in margins:
        got = np.bincount(fac.codes, weights=w, minlength=fac.n_levels)
        want = np.array([pop.get(lv, 0.0) for lv in fac.levels])
        ok = want > 0
        if ok.any():
            worst = max(worst, float(np.max(np.abs(got[ok] - want[ok]) / want[ok])))
    return worst
