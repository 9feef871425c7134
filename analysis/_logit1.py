"""R's ``svyglm(y ~ 1, family=quasibinomial)`` in closed form, for svyciprop.

With only an intercept, every IRLS step after the first has one common fitted mean, so
``glm.fit``'s iterations reduce to sums: ``S_w = sum(prior)``, ``S_wy = sum(prior y)``.
Following the same steps as R (start ``mustart = (prior y + 0.5)/(prior + 1)``, stop at
``|dev - dev_old| / (|dev| + 0.1) < 1e-8``, working weights of the last step) keeps
R's results to rounding while costing O(n) once instead of once per iteration. The
design variance is that of the mean centred on the fitted mean, divided by
``mu_eta^2`` (the influence values of the intercept).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import xlogy

from ._arrays import FloatArray
from ._engine import linear
from ._values import Values, whole_sample
from .design import Design
from .models import Family, _linkinv, _mu_eta


@dataclass(frozen=True)
class InterceptLogit:
    """The fit, plus the design-based mean (``p``, ``p_var``) computed in the same pass."""

    coef: float
    mu: float
    var: float
    naive_var: float
    deviance: float
    dispersion: float
    s_w: float
    s_wy: float
    const: float
    converged: bool
    p: float
    p_var: float
    n: int
    degf: int

    @property
    def se(self) -> float:
        return float(np.sqrt(self.var))

    def deviance_at(self, b: float) -> float:
        """Deviance of the intercept-only model with the intercept fixed at ``b``."""
        return _deviance(self.const, self.s_w, self.s_wy, _scalar(_linkinv, b))


def _deviance(const: float, s_w: float, s_wy: float, mu: float) -> float:
    return 2.0 * (const - s_wy * np.log(mu) - (s_w - s_wy) * np.log(1.0 - mu))


def _scalar(f: Callable[[FloatArray, Family], FloatArray], x: float) -> float:
    return float(f(np.array([x]), "quasibinomial")[0])


def _dot(a: FloatArray, b: FloatArray) -> float:
    # einsum, not BLAS: a threaded BLAS dot stalls on a busy 2-core machine.
    return float(np.einsum("i,i->", a, b))


def fit_intercept_logit(
    sub: Design, y: FloatArray, *, epsilon: float = 1e-8, maxit: int = 25
) -> InterceptLogit | None:
    """The fit on domain design ``sub`` (y is 0 outside it); None when R would stop after
    the first iteration (its working weights then vary by row: use the general svyglm)."""
    w_all = sub.weights
    pos = np.flatnonzero(w_all > 0)
    w = w_all[pos]
    prior = w / (w_all.sum() / sub.n_rows)  # rows outside `active` have zero weight
    yy = y[pos]
    binary = bool(np.all((yy == 0.0) | (yy == 1.0)))
    s_w = float(prior.sum())
    s_wy = _dot(prior, yy)
    const = 0.0 if binary else _dot(prior, xlogy(yy, yy) + xlogy(1.0 - yy, 1.0 - yy))
    mustart = (prior * yy + 0.5) / (prior + 1.0)
    eta = np.log(mustart / (1.0 - mustart))
    mu = _linkinv(eta, "quasibinomial")
    if binary:
        devold = -2.0 * _dot(prior, np.log(np.where(yy == 1.0, mu, 1.0 - mu)))
    else:
        devold = 2.0 * _dot(prior, xlogy(yy, yy / mu) + xlogy(1.0 - yy, (1.0 - yy) / (1.0 - mu)))
    mu_eta = _mu_eta(eta, "quasibinomial")
    w2 = prior * mu_eta**2 / (mu * (1.0 - mu))
    coef = _dot(w2, eta + (yy - mu) / mu_eta) / float(w2.sum())
    mu_s = _scalar(_linkinv, coef)
    dev = _deviance(const, s_w, s_wy, mu_s)
    if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
        return None
    converged = False
    c = 1.0
    for _ in range(2, maxit + 1):
        devold = dev
        me = _scalar(_mu_eta, coef)
        c = me**2 / (mu_s * (1.0 - mu_s))
        coef = coef + (s_wy - mu_s * s_w) / (me * s_w)
        mu_s = _scalar(_linkinv, coef)
        dev = _deviance(const, s_w, s_wy, mu_s)
        if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
            converged = True
            break
    # Column 1: svymean (centred on p); column 2: the intercept's influence x mu_eta
    # (centred on the fitted mean).
    values = Values(
        ("y", "g"),
        ("y", "y"),
        (None, None),
        matrix=np.broadcast_to(y[:, None], (y.size, 2)),
        all_valid=True,
    )
    lin = linear(sub, values, whole_sample(sub.n), "mean", centre=np.array([[np.nan, mu_s]]))
    p = float(lin.estimate[0, 0])
    n = float(pos.size)
    dispersion = (
        _dot(w, (yy - p) ** 2) / (float(lin.weight_sum[0]) * mu_s * (1.0 - mu_s)) * n / (n - 1.0)
    )
    return InterceptLogit(
        coef=coef,
        mu=mu_s,
        var=float(lin.vcov[1, 1]) / _scalar(_mu_eta, coef) ** 2,
        naive_var=1.0 / (c * s_w),
        deviance=dev,
        dispersion=dispersion,
        s_w=s_w,
        s_wy=s_wy,
        const=const,
        converged=converged,
        p=p,
        p_var=float(lin.vcov[0, 0]),
        n=int(pos.size),
        degf=int(lin.degf[0]),
    )
