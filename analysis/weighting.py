"""Weighting: base weights, post-stratification, raking, calibration, trimming, Kish deff.

Each adjustment returns a new :class:`~analysis.design.Design` whose weights are adjusted
and which remembers the adjustment, so that variances are computed from the residuals of
the calibration as R's ``survey`` does (``postStratify``, ``rake``, ``calibrate``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from instruments.messages import gettext_noop

from ._arrays import Factor, FloatArray, as_factor
from ._calibration import GregStep, PostStratStep, RakeStep, grake
from .design import Design
from .errors import AnalysisError, ConvergenceError

Population = Mapping[str, float] | Sequence[float] | FloatArray


def base_weights(station: Any, frame_size: Mapping[str, float]) -> FloatArray:
    """Design weight of each respondent: the station's frame size over its completes."""
    fac = station if isinstance(station, Factor) else Factor.from_values(np.asarray(station))
    counts = np.bincount(fac.codes[fac.codes >= 0], minlength=fac.n_levels)
    sizes = np.array([float(frame_size.get(lv, np.nan)) for lv in fac.levels])
    if np.isnan(sizes).any():
        missing = fac.levels[int(np.flatnonzero(np.isnan(sizes))[0])]
        raise AnalysisError(gettext_noop("No frame size for station {station}."), station=missing)
    if np.any(fac.codes < 0):
        raise AnalysisError(gettext_noop("Every respondent needs a station."))
    weights: FloatArray = sizes[fac.codes] / counts[fac.codes]
    return weights


def _population_vector(pop: Population, fac: Factor) -> FloatArray:
    if isinstance(pop, Mapping):
        unknown = set(map(str, pop)) - set(fac.levels)
        if unknown:
            raise AnalysisError(
                gettext_noop("Population totals name unknown categories: {levels}."),
                levels=", ".join(sorted(unknown)),
            )
        out = np.array([float(pop.get(lv, 0.0)) for lv in fac.levels])
    else:
        out = np.asarray(pop, dtype=np.float64)
        if out.shape != (fac.n_levels,):
            raise AnalysisError(
                gettext_noop("Expected {count} population totals, one per category."),
                count=fac.n_levels,
            )
    if np.any(out < 0) or np.isnan(out).any():
        raise AnalysisError(gettext_noop("Population totals must be non-negative numbers."))
    return out


def _poststrat_weights(w: FloatArray, fac: Factor, pop: FloatArray, partial: bool) -> FloatArray:
    if np.any(fac.codes < 0):
        raise AnalysisError(gettext_noop("Post-stratification variables must not be missing."))
    sample = np.bincount(fac.codes, weights=w, minlength=fac.n_levels)
    only_sample = (sample > 0) & (pop == 0)
    if only_sample.any():
        raise AnalysisError(
            gettext_noop("Category {level} is in the sample but has no population total."),
            level=fac.levels[int(np.flatnonzero(only_sample)[0])],
        )
    only_pop = (sample == 0) & (pop > 0)
    if only_pop.any() and not partial:
        raise AnalysisError(
            gettext_noop(
                "Category {level} has a population total but no sample: "
                "pass partial=True to ignore it."
            ),
            level=fac.levels[int(np.flatnonzero(only_pop)[0])],
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(sample > 0, pop / sample, 1.0)
    adjusted: FloatArray = w * factor[fac.codes]
    return adjusted


def poststratify(
    design: Design, groups: Any, population: Population, *, partial: bool = False
) -> Design:
    """Scale weights so that the weighted count of each post-stratum is its population total."""
    fac = as_factor(groups, design.n, "post-strata")
    pop = _population_vector(population, fac)
    new = _poststrat_weights(design.weights, fac, pop, partial)
    step = PostStratStep(fac.codes, fac.n_levels, new, design.weights.copy())
    return design.with_weights(new, step)


def rake(
    design: Design,
    margins: Sequence[tuple[Any, Population]],
    *,
    maxit: int = 10,
    epsilon: float = 1.0,
    stop_rule: Literal["joint", "margins"] = "joint",
    strict: bool = False,
) -> Design:
    """Iterative proportional fitting to several margins, as R's ``rake()``.

    Each pass post-stratifies to every margin in turn. Raking stops after ``maxit`` passes
    or when the weighted table moves by less than ``epsilon`` in a pass (``epsilon < 1``
    is relative to the total weight). ``stop_rule="joint"`` measures the joint table of all
    margin variables (survey 4.1-1); ``"margins"`` each margin's own table (survey >= 4.3).
    ``strict=True`` raises when raking has not converged. The step on the returned design
    records ``passes`` and ``converged``.
    """
    if not margins:
        raise AnalysisError(gettext_noop("Raking needs at least one margin."))
    facs = [as_factor(g, design.n, f"margin {i + 1}") for i, (g, _) in enumerate(margins)]
    pops = [_population_vector(p, f) for f, (_, p) in zip(facs, margins, strict=True)]
    eps = epsilon * design.sum_weights if epsilon < 1 else epsilon
    w = design.weights
    old = _rake_table(w, facs, stop_rule)
    passes, converged = 0, False
    recorded: list[tuple[Any, int, FloatArray]] = []
    while passes < maxit:
        recorded = []
        for fac, pop in zip(facs, pops, strict=True):
            w = _poststrat_weights(w, fac, pop, partial=False)
            recorded.append((fac.codes, fac.n_levels, w))
        passes += 1
        new = _rake_table(w, facs, stop_rule)
        if float(np.max(np.abs(old - new))) < eps:
            converged = True
            break
        old = new
    if strict and not converged:
        raise ConvergenceError(
            gettext_noop("Raking did not converge after {passes} passes."), passes=passes
        )
    return design.with_weights(w, RakeStep(tuple(recorded), passes, converged))


def _rake_table(w: FloatArray, facs: list[Factor], rule: str) -> FloatArray:
    if rule == "margins":
        return np.concatenate([np.bincount(f.codes, weights=w, minlength=f.n_levels) for f in facs])
    code = np.zeros(w.shape[0], dtype=np.int64)
    size = 1
    for f in facs:
        code = code * f.n_levels + f.codes
        size *= f.n_levels
    return np.bincount(code, weights=w, minlength=size)


def calibrate(
    design: Design,
    x: Any,
    population: Any,
    *,
    calfun: Literal["linear", "raking"] = "linear",
    bounds: tuple[float, float] = (-np.inf, np.inf),
    maxit: int = 50,
    epsilon: float = 1e-7,
    force: bool = False,
) -> Design:
    """Calibrate weights to population totals of the columns of ``x`` (R's ``calibrate``).

    ``x`` is a model matrix (see :func:`analysis.models.model_matrix`; include the
    intercept to calibrate the total) and ``population`` its population totals. ``calfun``
    is ``linear`` (GREG; unbounded uses the closed form) or ``raking`` (exponential).
    ``bounds`` limit the g-weights (ratio of new to old weight).
    """
    mm = np.asarray(x, dtype=np.float64)
    mm = mm[:, None] if mm.ndim == 1 else mm
    pop = np.asarray(population, dtype=np.float64)
    if mm.shape[0] != design.n or pop.shape != (mm.shape[1],):
        raise AnalysisError(
            gettext_noop("Calibration variables and population totals do not match.")
        )
    if np.isnan(mm).any() or np.isnan(pop).any():
        raise AnalysisError(gettext_noop("Calibration variables must not be missing."))
    if calfun not in ("linear", "raking"):
        raise AnalysisError(gettext_noop("Unknown calibration function {calfun}."), calfun=calfun)
    ww = design.weights
    sample_total = mm.T @ ww
    keep = ~((sample_total == 0) & (pop == 0) & np.all(mm == 0, axis=0))
    mm, pop, sample_total = mm[:, keep], pop[keep], sample_total[keep]
    lower, upper = float(bounds[0]), float(bounds[1])
    if calfun == "linear" and np.isinf(lower) and np.isinf(upper):
        whalf = np.sqrt(ww)
        a = mm * whalf[:, None]
        g = 1.0 + mm @ np.linalg.solve(a.T @ a, pop - sample_total)
    else:
        res = grake(mm, ww, pop, calfun, lower, upper, epsilon, maxit)
        if not res.converged and not force:
            raise ConvergenceError(
                gettext_noop("Calibration failed to converge (relative misfit {misfit:.3g})."),
                misfit=res.achieved,
            )
        g = res.g
    return design.with_weights(ww * g, GregStep.build(mm, ww, g))


def trim_weights(
    design: Design,
    *,
    lower: float = -np.inf,
    upper: float = np.inf,
    redistribute: Literal["equal", "proportional", "none"] = "equal",
    strict: bool = False,
) -> Design:
    """Cap weights to [lower, upper] and hand the trimmed amount to the untrimmed units.

    ``equal`` adds the same amount to each untrimmed unit (R's ``trimWeights``);
    ``proportional`` scales them up; ``none`` lets the total shrink. With ``strict`` the
    trimming repeats until no weight lies outside the bounds. Units of zero weight
    (outside a domain) take no share. Calibration records are kept, as R keeps them.
    """
    if lower > upper:
        raise AnalysisError(gettext_noop("The lower trimming bound exceeds the upper one."))
    w = design.weights.copy()
    for _ in range(100):
        pos = w > 0
        outside = pos & ((w < lower) | (w > upper))
        if not outside.any():
            break
        new = np.where(outside, np.clip(w, lower, upper), w)
        excess = float((w - new).sum())
        take = pos & ~outside
        if redistribute == "equal" and take.any():
            new[take] += excess / take.sum()
        elif redistribute == "proportional" and take.any():
            new[take] *= 1.0 + excess / new[take].sum()
        w = new
        if not strict:
            break
    return design.with_weights(w)


def kish_deff(weights: Any) -> float:
    """Kish's design effect of unequal weighting, 1 + CV^2 = n sum(w^2) / sum(w)^2 (w > 0)."""
    w = np.asarray(weights, dtype=np.float64)
    w = w[w > 0]
    if w.size == 0:
        raise AnalysisError(gettext_noop("No positive weights."))
    return float(w.size * np.sum(w**2) / np.sum(w) ** 2)
