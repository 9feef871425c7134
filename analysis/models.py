"""Design-based regression as R's ``svyglm``: linear (gaussian) and logistic (quasibinomial).

Point estimates come from an IRLS that follows R's ``glm.fit`` step by step (same start,
same stopping rule ``|dev - dev_old| / (|dev| + 0.1) < 1e-8``), because R's sandwich uses
the working weights of the last iteration, not of the converged fit; matching R to 1e-8
needs the same iterations. The variance is the linearisation of the estimating equations
on the design: influence ``x_i r_i w_i (X'WX)^-1`` with working residuals ``r_i``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import linalg, stats

from instruments.messages import gettext_noop

from ._arrays import Factor, FloatArray, as_float
from ._values import _is_categorical
from .design import Design
from .errors import AnalysisError, ConvergenceError
from .estimates import interval

Family = Literal["gaussian", "quasibinomial"]

_THRESH = 30.0
_EPS = np.finfo(np.float64).eps


# ------------------------------------------------------------------ family pieces ----
def _linkinv(eta: FloatArray, family: Family) -> FloatArray:
    """R's C logit_linkinv, which clamps exp(eta) beyond |eta| > 30."""
    if family == "gaussian":
        return eta
    if np.abs(eta).max(initial=0.0) <= _THRESH:
        tmp = np.exp(eta)
    else:
        tmp = np.where(
            eta < -_THRESH,
            _EPS,
            np.where(eta > _THRESH, 1.0 / _EPS, np.exp(np.clip(eta, -_THRESH, _THRESH))),
        )
    return tmp / (1.0 + tmp)


def _mu_eta(eta: FloatArray, family: Family) -> FloatArray:
    if family == "gaussian":
        return np.ones_like(eta)
    if np.abs(eta).max(initial=0.0) <= _THRESH:
        e = np.exp(eta)
        return e / (1.0 + e) ** 2
    e = np.exp(np.clip(eta, -_THRESH, _THRESH))
    return np.where(np.abs(eta) > _THRESH, _EPS, e / (1.0 + e) ** 2)


def _variance(mu: FloatArray, family: Family) -> FloatArray:
    return np.ones_like(mu) if family == "gaussian" else mu * (1.0 - mu)


def _dev_resids(y: FloatArray, mu: FloatArray, wt: FloatArray, family: Family) -> FloatArray:
    if family == "gaussian":
        return wt * (y - mu) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(y != 0, y * np.log(y / mu), 0.0)
        b = np.where(1 - y != 0, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0)
    return 2.0 * wt * (a + b)


@dataclass(frozen=True, eq=False)
class IRLSFit:
    coef: FloatArray
    mu: FloatArray
    eta: FloatArray
    working_weights: FloatArray
    working_residuals: FloatArray
    xtwx_inv: FloatArray
    deviance: float
    iterations: int
    converged: bool


def irls(
    x: FloatArray,
    y: FloatArray,
    prior: FloatArray,
    family: Family,
    *,
    epsilon: float = 1e-8,
    maxit: int = 25,
) -> IRLSFit:
    """R's ``glm.fit`` for the gaussian/identity and (quasi)binomial/logit families."""
    y = np.where(prior == 0, 0.0, y) if family == "quasibinomial" else y
    if family == "quasibinomial":
        if np.any((y < 0) | (y > 1)):
            raise AnalysisError(gettext_noop("A logistic model needs an outcome between 0 and 1."))
        mustart = (prior * y + 0.5) / (prior + 1.0)
        eta = np.log(mustart / (1.0 - mustart))
    else:
        eta = y.copy()
    mu = _linkinv(eta, family)
    devold = float(_dev_resids(y, mu, prior, family).sum())
    coef = coefold = None
    converged = False
    w = good = r_mat = None
    it = 0
    for it in range(1, maxit + 1):  # noqa: B007
        mu_eta = _mu_eta(eta, family)
        good = (prior > 0) & (mu_eta != 0)
        z = eta[good] + (y - mu)[good] / mu_eta[good]
        w = np.sqrt(prior[good] * mu_eta[good] ** 2 / _variance(mu, family)[good])
        coef, r_mat = _weighted_ls(x, good, w, z)
        eta = x @ coef
        mu = _linkinv(eta, family)
        dev = float(_dev_resids(y, mu, prior, family).sum())
        halvings = 0
        while not np.isfinite(dev) and coefold is not None and halvings < maxit:
            halvings += 1
            coef = (coef + coefold) / 2.0
            eta = x @ coef
            mu = _linkinv(eta, family)
            dev = float(_dev_resids(y, mu, prior, family).sum())
        if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
            converged = True
            break
        devold = dev
        coefold = coef
    assert coef is not None and w is not None and good is not None and r_mat is not None
    wt = np.zeros_like(y)
    wt[good] = w**2
    r_inv = linalg.solve_triangular(r_mat, np.eye(r_mat.shape[0]))
    return IRLSFit(
        coef=coef,
        mu=mu,
        eta=eta,
        working_weights=wt,
        working_residuals=(y - mu) / _mu_eta(eta, family),
        xtwx_inv=r_inv @ r_inv.T,
        deviance=float(_dev_resids(y, mu, prior, family).sum()),
        iterations=it,
        converged=converged,
    )


class _RankDeficient(AnalysisError):
    def __init__(self, column: int) -> None:
        self.column = column
        super().__init__(
            gettext_noop("The model matrix is rank deficient: remove redundant terms.")
        )


def _weighted_ls(
    x: FloatArray, good: Any, w: FloatArray, z: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Least squares of ``z w`` on ``x w`` over the ``good`` rows, by QR; a column
    (nearly) in the span of earlier ones is refused.

    The Householder QR of ``[x w | z w]`` holds R and Q'(z w) in its R factor, so Q
    (n x p) is never formed: the same arithmetic as QR-then-Q'b at a fraction of the
    cost. The matrix is built once, column-major, and factorised in place.
    """
    rows = x if good.all() else x[good]
    p = x.shape[1]
    aug = np.empty((rows.shape[0], p + 1), order="F")
    np.multiply(rows, w[:, None], out=aug[:, :p])
    np.multiply(z, w, out=aug[:, p])
    norms = np.sqrt(np.einsum("ij,ij->j", aug[:, :p], aug[:, :p]))
    r_aug = linalg.qr(aug, mode="r", overwrite_a=True, check_finite=False)[0]
    r, qtb = r_aug[:p, :p], r_aug[:p, p]
    bad = np.abs(np.diag(r)) <= 1e-7 * np.maximum(norms, np.finfo(float).tiny)
    if np.any(bad):
        raise _RankDeficient(int(np.flatnonzero(bad)[0]))
    return linalg.solve_triangular(r, qtb), r


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
    return np.column_stack(cols), tuple(names)


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
        return np.sqrt(np.diag(self.vcov))

    @property
    def statistic(self) -> FloatArray:
        return self.coef / self.se

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
    ok = ~np.isnan(yv) & ~np.isnan(xm).any(axis=1)
    sub = design if ok.all() else design.subset(ok)
    w = sub.weights
    active_w = design.weights[design.active]
    prior = w / active_w.mean()
    if not np.any(prior > 0):
        raise AnalysisError(gettext_noop("No respondents with positive weight are left to fit."))
    xz = np.where(ok[:, None], xm, 0.0)
    yz = np.where(ok, yv, 0.0)
    pos = np.flatnonzero(prior > 0)  # rows of zero weight take no part in the fit
    try:
        fit = irls(xz[pos], yz[pos], prior[pos], family)
    except _RankDeficient as exc:
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
    estfun = xz[pos] * (fit.working_residuals * fit.working_weights)[:, None]
    influence = np.zeros_like(xz)
    influence[pos] = estfun @ fit.xtwx_inv
    vcov = sub.vcov_from_influence(influence)
    df_res = sub.degf() + 1 - xm.shape[1]
    # residuals.svyglm divides the prior weights by the design weights: they cancel.
    pearson = (yz[pos] - fit.mu) / np.sqrt(_variance(fit.mu, family))
    return GLMResult(
        family=family,
        terms=names,
        coef=fit.coef,
        vcov=vcov,
        naive_vcov=fit.xtwx_inv,
        df_residual=int(df_res),
        dispersion=_svyvar(pearson, w[pos]),
        deviance=fit.deviance,
        n=int(pos.size),
        iterations=fit.iterations,
        converged=fit.converged,
        fitted=np.where(ok, _linkinv(xz @ fit.coef, family), np.nan),
        prior_weights=prior,
    )


def _svyvar(r: FloatArray, w: FloatArray) -> float:
    """R's ``svyvar``: weighted variance with the n/(n-1) factor, n = units of non-zero weight."""
    n = int((w != 0).sum())
    xbar = float((w * r).sum() / w.sum())
    return float((w * (r - xbar) ** 2).sum() / w.sum() * n / (n - 1))
