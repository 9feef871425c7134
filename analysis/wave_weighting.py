"""A wave's weights in one call, and the diagnostics reported with them (DESIGN.md §7).

``weights_for_wave``: the base weight of each respondent is the station's frame size over
its completes; the base weights are raked to the population margins; when ``trim`` is
given, weights outside ``[lower, upper] x mean weight`` are cut to the bound (the excess
spread proportionally over the others) and the weights raked again, until both the
margins and the bounds hold or ``max_cycles`` is reached (then the bounds hold and the
remaining margin misfit is reported). ``tolerance`` is relative, for both.

Speed: raking works on the cells of the margins' joint table (:class:`_Cells`), trimming
solves for its scale factor on the sorted weights (:func:`_trim`); a cycle costs a few
passes over the respondents, so 50 cycles on 200,000 respondents take well under a second.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from instruments.messages import gettext_noop

from ._arrays import Factor, FloatArray, as_factor
from .dataset import check_weights
from .errors import AnalysisError
from .weighting import base_weights

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
    cells = _Cells(rake_margins, n) if rake_margins else None
    cycles, converged, trimmed = 0, False, 0
    w = base
    while cycles < max_cycles:
        cycles += 1
        if cells is not None:
            w = cells.rake(w, maxit=rake_maxit, epsilon=1e-10)
        if trim is None:
            converged = True
            break
        mean = float(w.mean())
        lo, hi = lower * mean, upper * mean
        if np.all((w >= lo * (1 - tolerance)) & (w <= hi * (1 + tolerance))):
            converged = True
            break
        w = _trim(w, lo, hi)
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


class _Cells:
    """Raking on the cells of the margins' joint table. Every respondent of a cell gets
    the same factors, so iterative proportional fitting of the cell totals makes the same
    steps as R's ``rake`` on the rows (:func:`analysis.rake`, joint stopping rule), at
    the cost of the number of cells (a few hundred) instead of the respondents."""

    def __init__(self, margins: list[tuple[Factor, dict[str, float]]], n: int) -> None:
        key = np.zeros(n, dtype=np.int64)
        for fac, _ in margins:
            key = key * fac.n_levels + fac.codes
        uniq, self.cell = np.unique(key, return_inverse=True)
        self.n_cells = int(uniq.size)
        levels = []
        for fac, _ in reversed(margins):
            levels.append(uniq % fac.n_levels)
            uniq = uniq // fac.n_levels
        self.levels = levels[::-1]
        self.pops = [np.array([pop.get(lv, 0.0) for lv in fac.levels]) for fac, pop in margins]

    def rake(self, w: FloatArray, *, maxit: int, epsilon: float) -> FloatArray:
        start = np.bincount(self.cell, weights=w, minlength=self.n_cells)
        t = start
        eps = epsilon * float(t.sum())
        for _ in range(maxit):
            old = t
            for lv, pop in zip(self.levels, self.pops, strict=True):
                got = np.bincount(lv, weights=t, minlength=pop.size)
                factor = np.divide(pop, got, out=np.ones_like(pop), where=got > 0)
                t = t * factor[lv]
            if float(np.max(np.abs(old - t))) < eps:
                break
        ratio = np.divide(t, start, out=np.ones_like(t), where=start > 0)
        return w * ratio[self.cell]


def _trim(w: FloatArray, lo: float, hi: float) -> FloatArray:
    """Positive weights cut to [lo, hi] with the excess spread in proportion over the
    others until every weight is inside: ``clip(c w, lo, hi)`` with the factor ``c`` that
    keeps the total (the limit of :func:`analysis.trim_weights` with proportional
    redistribution, repeated). ``c`` is found exactly: on the sorted weights, the rows cut
    at each bound are a prefix and a suffix, and between breakpoints the total is linear
    in ``c``. Needs ``n lo <= sum(w) <= n hi`` (bounds around the mean always are)."""
    if bool(np.all((w >= lo) & (w <= hi))):
        return w
    ws = np.sort(w)
    cum = np.concatenate(([0.0], np.cumsum(ws)))
    n, total = ws.size, float(cum[-1])

    def split(c: float) -> tuple[int, int, float]:
        low = int(np.searchsorted(ws, lo / c, side="left"))  # c w < lo
        high = n - int(np.searchsorted(ws, hi / c, side="right"))  # c w > hi
        return low, high, float(cum[n - high] - cum[low])

    c1, c2 = lo / ws[-1], hi / ws[0]  # all rows at lo ... all rows at hi
    c = 1.0
    for _ in range(200):
        c = 0.5 * (c1 + c2)
        low, high, mid = split(c)
        if mid > 0:  # the linear piece through c: solve it exactly
            exact = (total - lo * low - hi * high) / mid
            if exact > 0 and split(exact)[:2] == (low, high):
                c = exact
                break
        if lo * low + hi * high + c * mid < total:
            c1 = c
        else:
            c2 = c
    return np.clip(w * c, lo, hi)


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
