"""Confidence intervals for a proportion as R's ``svyciprop`` (survey 4.1-1).

Methods: ``logit`` (default; Wald interval of a design-based intercept-only logistic
model), ``likelihood`` (profile of the rescaled quasi-likelihood, R's profile + fmm spline
inversion), ``asin``, ``beta`` (Korn-Graubard style, effective sample size), ``mean``
(Wald on the proportion) and ``xlogit`` (delta method on the logit of the mean).
The t degrees of freedom default to the design df of the domain, ``degf(subset)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from scipy import stats
from scipy.special import xlogy

from instruments.messages import gettext_noop

from ._arrays import BoolArray, FloatArray, as_float, as_mask
from ._engine import linear
from ._logit1 import InterceptLogit, domain_rows, fit_intercept_logit, fit_intercept_logits
from ._spline import approx, spline
from ._threads import single_blas
from ._values import Values, by_variables, cross_domains
from .design import Design
from .errors import AnalysisError
from .estimates import mean as svymean
from .models import svyglm

Method = Literal["logit", "likelihood", "asin", "beta", "mean", "xlogit"]
METHODS: tuple[str, ...] = ("logit", "likelihood", "asin", "beta", "mean", "xlogit")


@dataclass(frozen=True)
class PropCI:
    """A proportion, its design-based standard error (from the mean) and interval."""

    method: str
    estimate: float
    se: float
    ci_l: float
    ci_u: float
    level: float
    df: float
    n: int
    domain: tuple[str, ...] = ()


def _expit(x: FloatArray | float) -> Any:
    return np.exp(x) / (1.0 + np.exp(x))


def ciprop(
    design: Design,
    y: Any,
    *,
    method: Method = "logit",
    level: float = 0.95,
    df: float | None = None,
    where: Any = None,
) -> PropCI:
    """Proportion of ``y`` (0/1 or boolean; missing values leave the domain) with an interval."""
    yv, valid = _prepare(design, y, method)
    ok = valid if where is None else valid & as_mask(where, design.n, "domain mask")
    return _ciprop(design, yv, ok, method, level, df)


def _prepare(design: Design, y: Any, method: str) -> tuple[FloatArray, BoolArray]:
    if method not in METHODS:
        raise AnalysisError(
            gettext_noop("Unknown interval method {method}; use one of {methods}."),
            method=method,
            methods=", ".join(METHODS),
        )
    yv = as_float(np.asarray(y, dtype=np.float64), design.n, "y")
    valid = ~np.isnan(yv)
    if np.any(valid & ((yv < 0) | (yv > 1))):
        raise AnalysisError(gettext_noop("A proportion needs values between 0 and 1."))
    return np.where(valid, yv, 0.0), valid


def _ciprop(
    design: Design, yz: FloatArray, ok: BoolArray, method: str, level: float, df: float | None
) -> PropCI:
    sub = design if ok.all() else design.subset(ok)
    if method in ("logit", "likelihood"):
        # rows of the model frame: R keeps out-of-domain rows of a calibrated design
        n_frame = int((sub.active & (ok | design.calibrated)).sum())
        return _logit_ci(_intercept_fit(sub, yz), method, level, df, n_frame)
    m = svymean(sub, yz)
    return _mean_ci(
        method, float(m.estimate[0]), float(m.se[0]), int(m.n[0]), m.degf, sub.n_rows, level, df
    )


def _logit_ci(
    fit: InterceptLogit, method: str, level: float, df: float | None, n_frame: int
) -> PropCI:
    alpha = 1.0 - level
    ddf = float(fit.degf) if df is None else float(df)
    est = float(_expit(fit.coef))
    if method == "logit":
        lo, hi = _expit(fit.coef + fit.se * stats.t.ppf([alpha / 2, 1 - alpha / 2], ddf))
    else:
        lo, hi = _expit(_profile_ci(fit, n_frame, level, ddf))
    return PropCI(method, est, float(np.sqrt(fit.p_var)), float(lo), float(hi), level, ddf, fit.n)


def _mean_ci(
    method: str,
    p: float,
    se: float,
    n: int,
    degf: int,
    n_rows: int,
    level: float,
    df: float | None,
) -> PropCI:
    ddf = float(degf) if df is None else float(df)
    lo, hi = _simple_ci(method, p, se, 1.0 - level, ddf, n_rows, degf)
    return PropCI(method, p, se, float(lo), float(hi), level, ddf, n)


def _intercept_fit(sub: Design, y: FloatArray) -> InterceptLogit:
    """Closed-form svyglm(y ~ 1, quasibinomial); the general IRLS in the rare case that R
    stops after one iteration."""
    fit = fit_intercept_logit(sub, y)
    if fit is not None:
        return fit
    glm = svyglm(sub, np.ones((sub.n, 1)), y, family="quasibinomial", terms=("(Intercept)",))
    m = svymean(sub, y)
    pos = sub.weights > 0
    prior = glm.prior_weights[pos]
    yy = y[pos]
    const = float(prior @ (xlogy(yy, yy) + xlogy(1.0 - yy, 1.0 - yy)))
    return InterceptLogit(
        coef=float(glm.coef[0]),
        mu=float(_expit(glm.coef[0])),
        var=float(glm.vcov[0, 0]),
        naive_var=float(glm.naive_vcov[0, 0]),
        deviance=glm.deviance,
        dispersion=glm.dispersion,
        s_w=float(prior.sum()),
        s_wy=float(prior @ yy),
        const=const,
        converged=glm.converged,
        p=float(m.estimate[0]),
        p_var=float(m.vcov[0, 0]),
        n=int(m.n[0]),
        degf=m.degf,
    )


def _simple_ci(
    method: str, p: float, se: float, alpha: float, ddf: float, n_rows: int, degf: int
) -> tuple[float, float]:
    q = np.asarray(stats.t.ppf([alpha / 2, 1 - alpha / 2], ddf))
    if method == "mean":
        lo, hi = p + se * q
    elif method == "asin":
        centre = np.arcsin(np.sqrt(p))
        lo, hi = np.sin(centre + q * se / (2.0 * np.sqrt(p) * np.sqrt(1.0 - p))) ** 2
    elif method == "xlogit":
        centre = np.log(p / (1.0 - p))
        lo, hi = _expit(centre + q * se / (p * (1.0 - p)))
    else:  # beta: the effective n uses degf(design), whatever df was asked for (as R)
        n_eff = p * (1.0 - p) / se**2
        ratio = stats.t.ppf(alpha / 2, n_rows - 1) / stats.t.ppf(alpha / 2, degf)
        n_eff *= ratio**2
        lo = stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1.0 - p) + 1.0)
        hi = stats.beta.ppf(1.0 - alpha / 2, n_eff * p + 1.0, n_eff * (1.0 - p))
    return float(lo), float(hi)


def _profile_ci(fit: InterceptLogit, n_rows: int, level: float, ddf: float) -> FloatArray:
    """R's confint(svyglm, method='likelihood') for the intercept-only model: profile the
    rescaled deviance on a grid of steps, fit R's fmm spline, invert it linearly."""
    if ddf <= 0:
        raise AnalysisError(gettext_noop("Zero or negative denominator degrees of freedom."))
    lam = fit.var / fit.naive_var
    alpha = stats.norm.cdf(stats.t.ppf((1.0 - level) / 2.0, ddf) * np.sqrt(lam)) / 2.0
    # sqrt of the upper F(1, n-1) quantile, via t: scipy's F quantile is inaccurate this
    # far in the tail (alpha can be ~1e-15 when the design effect is large).
    zmax = stats.t.isf(alpha / 2.0, n_rows - 1)
    delta = zmax / 5.0
    zs, bs = [0.0], [fit.coef]
    for sgn in (-1.0, 1.0):
        step, z = 0, 0.0
        while (step := step + 1) < 10 and abs(z) < zmax:
            bi = fit.coef + sgn * step * delta * fit.se
            zz = (fit.deviance_at(bi) - fit.deviance) / fit.dispersion
            if zz <= -0.001:
                raise AnalysisError(
                    gettext_noop("Profiling found a better fit: the model had not converged.")
                )
            z = sgn * np.sqrt(max(zz, 0.0))
            zs.append(z)
            bs.append(bi)
    order = np.argsort(zs, kind="stable")
    sx, sy = spline(np.asarray(bs)[order], np.asarray(zs)[order])
    cutoff = np.array([stats.norm.ppf(2 * alpha), stats.norm.isf(2 * alpha)])
    return approx(sy, sx, cutoff)


@single_blas
def ciprop_by(
    design: Design,
    y: Any,
    by: Any,
    *,
    method: Method = "logit",
    level: float = 0.95,
) -> tuple[PropCI, ...]:
    """``ciprop`` in every domain of ``by`` (R's ``svyby(..., svyciprop)``), R's order.

    All domains in one pass: the first IRLS step and the design variances of every
    domain come from per-domain sums over the rows (same numbers as one ``ciprop`` per
    domain, which is what a domain R stops after one iteration in still gets).
    """
    doms = cross_domains(design, by_variables(by))
    yz, valid = _prepare(design, y, method)
    n_rows = domain_rows(design, valid, doms)
    out: list[PropCI] = []
    if method in ("logit", "likelihood"):
        fits = fit_intercept_logits(design, yz, valid, doms, n_rows=n_rows)
        for d, fit in enumerate(fits):
            if fit is None:
                r = _ciprop(design, yz, valid & (doms.codes == d), method, level, None)
            else:
                r = _logit_ci(fit, method, level, None, int(n_rows[d]))  # rows of the model frame
            out.append(replace(r, domain=doms.labels[d]))
        return tuple(out)
    lin = linear(
        design, Values(("y",), ("y",), (None,), matrix=yz[:, None]), doms, "mean", rows=valid
    )
    se = np.sqrt(np.diag(lin.vcov))
    for d, label in enumerate(doms.labels):
        r = _mean_ci(
            method,
            float(lin.estimate[d, 0]),
            float(se[d]),
            int(lin.n_obs[d]),
            int(lin.degf[d]),
            int(n_rows[d]),
            level,
            None,
        )
        out.append(replace(r, domain=label))
    return tuple(out)
