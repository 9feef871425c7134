"""Design-based regression as R's ``svyglm``: linear (gaussian) and logistic (quasibinomial).

Point estimates come from an IRLS that follows R's ``glm.fit`` step by step
(:mod:`analysis._irls`), because R's sandwich uses the working weights of the last
iteration, not of the converged fit; matching R to 1e-8 needs the same iterations. The
variance is the linearisation of the estimating equations on the design: influence
``x_i r_i w_i (X'WX)^-1`` with working residuals ``r_i``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from instruments.messages import gettext_noop

from ._arrays import Factor, FloatArray, as_float
from ._irls import Family, RankDeficient, _linkinv, _variance, irls
from ._threads import single_blas
from ._values import _is_categorical
from .design import Design
from .errors import AnalysisError, ConvergenceError
from .estimates import interval


# ------------------------------------------------------------------ model matrix ----
def model_matrix(
    columns: Mapping[str, Any], n: int, *, intercept: bool = True
) -> tuple[FloatArray, tuple[str, ...]]:
    """Treatment-coded design matrix named as R's ``model.matrix`` (``sexM``, ``regionSouth``).

    Numeric columns enter as they are; a categorical column gets one 0/1 column per level
    but the first. A row with a missing value becomes a row of NaN.
    """
    cols: list[FloatArray] = [np.ones(n)] if intercept else []
    names: list[str] = ["(Intercept)"] if intercept else []
    for name, val in columns.items():
        if _is_categorical(val):
            fac = (
                val
                if isinstance(val, Factor)
                else Factor.from_values(np.asarray(val, dtype=object))
            )
            if len(fac) != n:
                raise AnalysisError(gettext_noop("{name} has the wrong length."), name=name)
            for k, lv in enumerate(fac.levels[1:], start=1):
                col = (fac.codes == k).astype(np.float64)
                col[fac.codes < 0] = np.nan
                cols.append(col)
                names.append(f"{name}{lv}")
        else:
            cols.append(as_float(val, n, name))
            names.append(name)
    # column-major: svyglm's weighted copies and products then run down contiguous columns
    return np.array(cols).T, tuple(names)


# ------------------------------------------------------------------ svyglm ----
@dataclass(frozen=True, eq=False)
class GLMResult:
    family: str
    terms: tuple[str, ...]
    coef: FloatArray
    vcov: FloatArray
    naive_vcov: FloatArray
    df_residual: int
    dispersion: float
    deviance: float
    n: int
    iterations: int
    converged: bool
    fitted: FloatArray
    prior_weights: FloatArray

    @property
    def se(self) -> FloatArray:
        se: FloatArray = np.sqrt(np.diag(self.vcov))
        return se

    @property
    def statistic(self) -> FloatArray:
        statistic: FloatArray = self.coef / self.se
        return statistic

    @property
    def p_values(self) -> FloatArray:
        if self.df_residual <= 0:
            return np.full(self.coef.shape, np.nan)
        return 2.0 * stats.t.sf(np.abs(self.statistic), self.df_residual)

    def confint(
        self, level: float = 0.95, df: float | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """Wald intervals with t(df_residual) quantiles, as R's ``confint.svyglm``."""
        ddf = self.df_residual if df is None else df
        if ddf <= 0:
            nan = np.full(self.coef.shape, np.nan)
            return nan, nan
        return interval(self.coef, self.se, level, ddf)

    def odds_ratios(self, level: float = 0.95) -> tuple[FloatArray, FloatArray, FloatArray]:
        """exp(coef) with exp of its confidence limits (meaningful for the logit link)."""
        lo, hi = self.confint(level)
        return np.exp(self.coef), np.exp(lo), np.exp(hi)

    def index(self, term: str) -> int:
        if term not in self.terms:
            raise AnalysisError(gettext_noop("Unknown term {term}."), term=term)
        return self.terms.index(term)


@single_blas
def svyglm(
    design: Design,
    x: Any,
    y: Any,
    *,
    family: Family = "gaussian",
    terms: tuple[str, ...] | None = None,
) -> GLMResult:
    """Fit ``y ~ x`` on the design (``x`` already holds the intercept column, see
    :func:`model_matrix`). Rows with a missing ``y`` or ``x`` leave the domain, as R's
    ``na.omit`` followed by ``design[-nas, ]``."""
    if family not in ("gaussian", "quasibinomial"):
        raise AnalysisError(gettext_noop("Unknown model family {family}."), family=family)
    xm = np.asarray(x, dtype=np.float64)
    if xm.ndim == 1:
        xm = xm[:, None]
    yv = as_float(y, design.n, "outcome")
    if xm.shape[0] != design.n:
        raise AnalysisError(gettext_noop("The model matrix has the wrong number of rows."))
    names = terms if terms is not None else tuple(f"x{j + 1}" for j in range(xm.shape[1]))
    missing = np.isnan(yv)
    if np.isnan(xm.sum()):  # one reduction; the row-wise test only when something is NaN
        missing |= np.isnan(xm).any(axis=1)
    ok = ~missing
    all_ok = not missing.any()
    sub = design if all_ok else design.subset(ok)
    w = sub.weights
    active_w = design.weights if design.active.all() else design.weights[design.active]
    prior = w / active_w.mean()
    n_pos = int(np.count_nonzero(prior))  # weights are never negative
    if n_pos == 0:
        raise AnalysisError(gettext_noop("No respondents with positive weight are left to fit."))
    # Rows of zero weight (outside the domain, or missing a value) take no part in the
    # fit; the rest have no missing value, so they are used as they are.
    pos = None if n_pos == prior.size else np.flatnonzero(prior)
    xf = xm if pos is None else xm[pos]
    yf = yv if pos is None else yv[pos]
    try:
        fit = irls(xf, yf, prior if pos is None else prior[pos], family)
    except RankDeficient as exc:
        raise AnalysisError(
            gettext_noop(
                "The model matrix is rank deficient: {term} is a combination of earlier "
                "terms (or constant) among the respondents used; remove it."
            ),
            term=names[exc.column],
        ) from None
    if not fit.converged:
        raise ConvergenceError(
            gettext_noop("The regression did not converge in {iterations} iterations."),
            iterations=fit.iterations,
        )
    # The influence values are estfun (X'WX)^-1. Every step of the variance (calibration
    # residuals, PSU totals, centring) is linear in the columns, so the p x p product is
    # applied to the p x p covariance of estfun instead of to n rows.
    estfun = xf * (fit.working_residuals * fit.working_weights)[:, None]
    if pos is not None:
        rows = np.zeros_like(xm)
        rows[pos] = estfun
        estfun = rows
    a_inv = fit.xtwx_inv
    vcov = a_inv @ sub.vcov_from_influence(estfun) @ a_inv
    df_res = sub.degf() + 1 - xm.shape[1]
    # residuals.svyglm divides the prior weights by the design weights: they cancel.
    pearson = (yf - fit.mu) / np.sqrt(_variance(fit.mu, family))
    if pos is None:
        fitted = fit.mu
    else:
        fitted = np.full(design.n, np.nan)
        fitted[ok] = _linkinv(xm[ok] @ fit.coef, family)
    return GLMResult(
        family=family,
        terms=names,
        coef=fit.coef,
        vcov=(vcov + vcov.T) / 2.0,
        naive_vcov=a_inv,
        df_residual=int(df_res),
        dispersion=_svyvar(pearson, w if pos is None else w[pos]),
        deviance=fit.deviance,
        n=n_pos,
        iterations=fit.iterations,
        converged=fit.converged,
        fitted=fitted,
        prior_weights=prior,
    )


def _svyvar(r: FloatArray, w: FloatArray) -> float:
    """R's ``svyvar``: weighted variance with the n/(n-1) factor, n = units of non-zero weight."""
    n = int(np.count_nonzero(w))
    sw = float(w.sum())
    dev = r - float(np.einsum("i,i->", w, r)) / sw
    return float(np.einsum("i,i->", w * dev, dev)) / sw * n / (n - 1)
