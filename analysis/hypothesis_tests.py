"""Design-based tests: Rao-Scott tests of two-way tables (R's ``svychisq``), differences
between domains or independent samples, and Benjamini-Hochberg adjustment.

``svychisq`` statistics as survey 4.1-1 computes them:
``F`` (default) Pearson X^2 / trace(Delta) on F(d0, d0 nu) with d0 = tr(D)^2 / tr(D^2);
``Chisq`` Pearson X^2 with p from chi^2_(r-1)(c-1) after dividing by mean(diag(Delta));
``Wald`` and ``adjWald`` Wald tests of the interaction contrasts of cell totals.
``nu`` is #PSU - #strata of the rows of the design (4.1-1's rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats

from instruments.messages import gettext_noop

from ._arrays import Factor, FloatArray, as_factor, as_mask
from ._engine import linear
from ._values import Domains, Values
from .design import Design
from .domains import by as svyby
from .errors import AnalysisError
from .estimates import interval

TableStatistic = Literal["F", "Chisq", "Wald", "adjWald"]


@dataclass(frozen=True)
class TableTest:
    """A test of independence in a two-way table. ``ddf`` is None for ``Chisq``."""

    statistic_name: str
    statistic: float
    ndf: float
    ddf: float | None
    p_value: float
    pearson_x2: float
    rows: tuple[str, ...]
    cols: tuple[str, ...]


def svychisq(design: Design, row: Any, col: Any, *, statistic: TableStatistic = "F") -> TableTest:
    """Test of association between two categorical variables (rows with NA are dropped)."""
    if statistic not in ("F", "Chisq", "Wald", "adjWald"):
        raise AnalysisError(
            gettext_noop("Unknown table statistic {statistic}."), statistic=statistic
        )
    rf = as_factor(row, design.n, "row variable").drop_unused(design.active)
    cf = as_factor(col, design.n, "column variable").drop_unused(design.active)
    nr, nc = rf.n_levels, cf.n_levels
    if nr < 2 or nc < 2:
        raise AnalysisError(gettext_noop("A table test needs at least two rows and two columns."))
    ok = (rf.codes >= 0) & (cf.codes >= 0)
    cell = np.where(ok, rf.codes + nr * cf.codes, -1)
    names = tuple(f"{r}.{c}" for c in cf.levels for r in rf.levels)
    values = Values(names, names, names, codes=np.maximum(cell, 0))
    whole = Domains(np.where(ok, 0, -1), ((),))
    big_n = design.n_rows
    nu = design.nu()
    x2 = _pearson(design, cell, ok, nr, nc, big_n)
    if statistic in ("Wald", "adjWald"):
        lin = linear(design, values, whole, "total")
        stat, ndf, ddf = _wald(lin.estimate[0], lin.vcov, nr, nc, nu, statistic)
        p = float(stats.f.sf(stat, ndf, ddf))
        return TableTest(statistic, stat, ndf, ddf, p, x2, rf.levels, cf.levels)
    lin = linear(design, values, whole, "mean")
    delta = _delta(lin.estimate[0], lin.vcov, nr, nc, big_n)
    tr = float(np.trace(delta))
    d0 = tr**2 / float(np.trace(delta @ delta))
    if statistic == "F":
        stat = x2 / tr
        p = float(stats.f.sf(stat, d0, d0 * nu))
        return TableTest("F", stat, d0, d0 * nu, p, x2, rf.levels, cf.levels)
    df = delta.shape[1]
    p = float(stats.chi2.sf(x2 / (tr / df), df))
    return TableTest("Chisq", x2, float(df), None, p, x2, rf.levels, cf.levels)


def _pearson(design: Design, cell: Any, ok: Any, nr: int, nc: int, big_n: int) -> float:
    """Pearson X^2 of the weighted table rescaled to ``big_n`` (R: svytable(Ntotal=N))."""
    tab = np.bincount(cell[ok], weights=design.weights[ok], minlength=nr * nc).reshape(nc, nr).T
    tab = tab * big_n / tab.sum()
    expected = np.outer(tab.sum(axis=1), tab.sum(axis=0)) / tab.sum()
    return float(((tab - expected) ** 2 / expected).sum())


def _contrasts(nr: int, nc: int) -> FloatArray:
    """Interaction columns of ~rows*cols residualised on the main effects (R's Cmat)."""
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    x1 = np.column_stack(
        [np.ones(nr * nc)]
        + [(rows == i).astype(float) for i in range(1, nr)]
        + [(cols == j).astype(float) for j in range(1, nc)]
    )
    x12 = np.column_stack(
        [((rows == i) & (cols == j)).astype(float) for j in range(1, nc) for i in range(1, nr)]
    )
    q, _ = np.linalg.qr(x1)
    contrasts: FloatArray = x12 - q @ (q.T @ x12)
    return contrasts


def _delta(p: FloatArray, v: FloatArray, nr: int, nc: int, big_n: int) -> FloatArray:
    cmat = _contrasts(nr, nc)
    with np.errstate(divide="ignore"):
        inv = np.where(p == 0, 0.0, 1.0 / p)
    denom = cmat.T @ (inv[:, None] / big_n * cmat)
    numr = cmat.T @ (inv[:, None] * v * inv[None, :]) @ cmat
    return np.linalg.solve(denom, numr)


def _wald(
    cells: FloatArray, v: FloatArray, nr: int, nc: int, nu: int, statistic: str
) -> tuple[float, float, float]:
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    row_tot = np.bincount(rows, weights=cells, minlength=nr)
    col_tot = np.bincount(cols, weights=cells, minlength=nc)
    total = cells.sum()
    # Jacobian of Y = cell - row*col/total wrt (cells, row totals, col totals, total), as R,
    # composed with the map from cells to those totals.
    jac = np.hstack(
        [
            np.eye(nr * nc),
            -(rows[:, None] == np.arange(nr)).astype(float) * (col_tot[cols] / total)[:, None],
            -(cols[:, None] == np.arange(nc)).astype(float) * (row_tot[rows] / total)[:, None],
            (row_tot[rows] * col_tot[cols] / total**2)[:, None],
        ]
    )
    to_totals = np.vstack(
        [
            np.eye(nr * nc),
            (rows[None, :] == np.arange(nr)[:, None]).astype(float),
            (cols[None, :] == np.arange(nc)[:, None]).astype(float),
            np.ones((1, nr * nc)),
        ]
    )
    j = jac @ to_totals
    y = cells - row_tot[rows] * col_tot[cols] / total
    vv = j @ v @ j.T
    use = np.flatnonzero((rows > 0) & (cols > 0))
    w = float(y[use] @ np.linalg.solve(vv[np.ix_(use, use)], y[use]))
    numdf = (nr - 1) * (nc - 1)
    if statistic == "Wald":
        return w / numdf, float(numdf), float(nu)
    denomdf = nu - numdf + 1
    return w * denomdf / (numdf * nu), float(numdf), float(denomdf)


# ------------------------------------------------------------------ differences ----
@dataclass(frozen=True)
class Difference:
    """``estimate = a - b`` with its standard error, test and interval."""

    a: float
    b: float
    estimate: float
    se: float
    statistic: float
    df: float | None
    p_value: float
    ci_l: float
    ci_u: float


def _difference(a: float, b: float, var: float, df: float | None, level: float) -> Difference:
    est = a - b
    se = float(np.sqrt(var))
    stat = est / se
    if df is None or np.isinf(df):
        p = float(2 * stats.norm.sf(abs(stat)))
    else:
        p = float(2 * stats.t.sf(abs(stat), df))
    lo, hi = interval(np.array(est), np.array(se), level, df)
    return Difference(a, b, est, se, stat, df, p, float(lo), float(hi))


def compare_domains(
    design: Design, y: Any, group: Any, a: str, b: str, *, level: float = 0.95
) -> Difference:
    """Mean (or proportion) of ``y`` in group ``a`` minus group ``b``.

    Both domains come from one design, so their estimates are correlated through shared
    PSUs; the variance uses their joint covariance. The t test has ``degf - 1`` degrees
    of freedom of the two domains' design, as R's ``svyttest(y ~ group)``.
    """
    fac = as_factor(group, design.n, "group")
    for lv in (a, b):
        if lv not in fac.levels:
            raise AnalysisError(gettext_noop("Unknown group {group}."), group=lv)
    ia, ib = fac.levels.index(a), fac.levels.index(b)
    pair = Factor(np.where((fac.codes == ia) | (fac.codes == ib), fac.codes, -1), fac.levels)
    two = design.subset(as_mask(pair.codes >= 0, design.n, "groups"))
    res = svyby(two, np.asarray(y, dtype=np.float64), pair)
    da, db = res.domain_index(a), res.domain_index(b)
    var = res.vcov[da, da] + res.vcov[db, db] - 2.0 * res.vcov[da, db]
    return _difference(
        float(res.estimate[da, 0]), float(res.estimate[db, 0]), float(var), two.degf() - 1, level
    )


def compare_independent(
    a: float, se_a: float, b: float, se_b: float, *, df: float | None = None, level: float = 0.95
) -> Difference:
    """``a - b`` for estimates from independent samples (e.g. two survey waves): the
    variances add. Normal reference distribution unless ``df`` is given."""
    return _difference(float(a), float(b), float(se_a) ** 2 + float(se_b) ** 2, df, level)


def benjamini_hochberg(p_values: Any) -> FloatArray:
    """Benjamini-Hochberg adjusted p-values (R's ``p.adjust(p, "BH")``; NaN stays NaN)."""
    p = np.asarray(p_values, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = q.size
    if m == 0:
        return out
    order = np.argsort(-q, kind="stable")
    ranks = np.arange(m, 0, -1)
    adj = np.minimum(1.0, np.minimum.accumulate(m / ranks * q[order]))
    res = np.empty(m)
    res[order] = adj
    out[ok] = res
    return out
