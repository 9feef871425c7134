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

from instruments.messages import gettext_noop

from ._arrays import BoolArray, FloatArray, IntArray
from ._engine import linear
from ._irls import _THRESH, Family, _linkinv, _mu_eta
from ._values import Domains, Values, whole_sample
from .design import Design
from .errors import EmptyDomainError


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
    return float(2.0 * (const - s_wy * np.log(mu) - (s_w - s_wy) * np.log(1.0 - mu)))


def _scalar(f: Callable[[FloatArray, Family], FloatArray], x: float) -> float:
    return float(f(np.array([x]), "quasibinomial")[0])


def fit_intercept_logit(
    sub: Design, y: FloatArray, *, epsilon: float = 1e-8, maxit: int = 25
) -> InterceptLogit | None:
    """The fit on domain design ``sub`` (y is 0 outside it); None when R would stop after
    the first iteration (its working weights then vary by row: use the general svyglm)."""
    return fit_intercept_logits(sub, y, None, whole_sample(sub.n), epsilon=epsilon, maxit=maxit)[0]


def _first_link(
    eta: FloatArray, yy: FloatArray, prior: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``mu``, ``mu_eta`` (R's formulas) and the 0/1 deviance terms ``-2 prior log(mu or
    1 - mu)`` = ``2 prior (log(1 + e^eta) - y eta)`` from one exponential."""
    if eta.size and (eta.min() < -_THRESH or eta.max() > _THRESH):  # R's clamps: rare
        mu = _linkinv(eta, "quasibinomial")
        dev = -2.0 * prior * np.log(np.where(yy == 1.0, mu, 1.0 - mu))
        return mu, _mu_eta(eta, "quasibinomial"), dev
    e = np.exp(eta)
    opx = e + 1.0
    mu = e / opx
    mu_eta = np.multiply(opx, opx)
    np.divide(e, mu_eta, out=mu_eta)
    dev = np.log(opx, out=opx)
    dev -= np.multiply(yy, eta, out=e)
    dev *= prior
    dev *= 2.0
    return mu, mu_eta, dev


def domain_rows(design: Design, ok: BoolArray | None, doms: Domains) -> IntArray:
    """Per domain, the rows R's ``subset(design, ok & domain)`` holds (``nrow``): the
    active rows in the domain, or every active row of a calibrated design."""
    if design.calibrated:
        return np.full(doms.count, design.n_rows, dtype=np.int64)
    keep = design.active & (doms.codes >= 0)
    if ok is not None:
        keep = keep & ok
    return np.bincount(doms.codes[keep], minlength=doms.count)


def fit_intercept_logits(
    design: Design,
    y: FloatArray,
    ok: BoolArray | None,
    doms: Domains,
    *,
    n_rows: IntArray | None = None,
    epsilon: float = 1e-8,
    maxit: int = 25,
) -> list[InterceptLogit | None]:
    """The fit in every domain of ``doms`` among rows ``ok`` (None: all), on the full
    design and in one pass over the rows: per domain the same numbers as
    ``fit_intercept_logit(design.subset(ok & domain), y)``. ``n_rows`` is
    :func:`domain_rows`, when the caller has it.

    glm.fit's first step is per row (each row's own starting value); its sums per domain
    come from ``bincount``. Later steps are scalar per domain, and the design variances
    of all domains come from one :func:`~analysis._engine.linear` call.
    """
    n_dom = doms.count
    in_dom = (doms.codes >= 0) & (design.weights > 0)
    if ok is not None:
        in_dom &= ok
    idx = np.flatnonzero(in_dom)
    dd = doms.codes[idx]
    w = design.weights[idx]
    yy = y[idx]
    n_pos = np.bincount(dd, minlength=n_dom)
    if np.any(n_pos == 0):
        d = int(np.flatnonzero(n_pos == 0)[0])
        raise EmptyDomainError(
            gettext_noop("Domain {domain} has no respondents with a valid answer to {variable}."),
            domain=doms.names[d] or "(whole sample)",
            variable="y",
        )
    w_sum = np.bincount(dd, weights=w, minlength=n_dom)
    rows = domain_rows(design, ok, doms) if n_rows is None else n_rows
    prior = w / (w_sum / rows)[dd]
    s_w = np.bincount(dd, weights=prior, minlength=n_dom)
    s_wy = np.bincount(dd, weights=prior * yy, minlength=n_dom)
    odd = np.flatnonzero((yy != 0.0) & (yy != 1.0))  # rows with a proportion, not 0/1
    const = np.zeros(n_dom)
    if odd.size:
        yo = yy[odd]
        ent = prior[odd] * (xlogy(yo, yo) + xlogy(1.0 - yo, 1.0 - yo))
        const = np.bincount(dd[odd], weights=ent, minlength=n_dom)
    # glm.fit's first step, from mustart = (prior y + 0.5) / (prior + 1)
    mustart = prior * yy
    mustart += 0.5
    mustart /= prior + 1.0
    eta = 1.0 - mustart
    np.divide(mustart, eta, out=eta)
    np.log(eta, out=eta)
    mu, mu_eta, dev_i = _first_link(eta, yy, prior)
    if odd.size:
        mo, yo = mu[odd], yy[odd]
        ent = xlogy(yo, yo / mo) + xlogy(1.0 - yo, (1.0 - yo) / (1.0 - mo))
        dev_i[odd] = 2.0 * prior[odd] * ent
    devold0 = np.bincount(dd, weights=dev_i, minlength=n_dom)
    # working weights prior mu_eta^2 / (mu (1 - mu)) = prior mu_eta for the logit; the
    # weighted working response w2 (eta + (y - mu) / mu_eta) = w2 eta + prior (y - mu)
    w2 = np.multiply(prior, mu_eta, out=mu_eta)
    num = np.subtract(yy, mu, out=mu)
    num *= prior
    num += np.multiply(w2, eta, out=eta)
    coef0 = np.bincount(dd, weights=num, minlength=n_dom) / np.bincount(
        dd, weights=w2, minlength=n_dom
    )
    steps = [
        _iterate(float(coef0[d]), float(devold0[d]), float(s_w[d]), float(s_wy[d]),
                 float(const[d]), epsilon, maxit)
        for d in range(n_dom)
    ]  # fmt: skip
    # Column 1: svymean (centred on p); column 2: the intercept's influence x mu_eta
    # (centred on the fitted mean).
    values = Values(
        ("y", "g"),
        ("y", "y"),
        (None, None),
        matrix=np.broadcast_to(y[:, None], (y.size, 2)),
        all_valid=True,
    )
    centre = np.array([[np.nan, np.nan if st is None else st.mu] for st in steps])
    lin = linear(design, values, doms, "mean", rows=ok, centre=centre)
    p = lin.estimate[:, 0]
    sq = np.bincount(dd, weights=w * (yy - p[dd]) ** 2, minlength=n_dom)
    out: list[InterceptLogit | None] = []
    for d, st in enumerate(steps):
        if st is None:
            out.append(None)
            continue
        n = float(n_pos[d])
        dispersion = sq[d] / (float(lin.weight_sum[d]) * st.mu * (1.0 - st.mu)) * n / (n - 1.0)
        out.append(
            InterceptLogit(
                coef=st.coef,
                mu=st.mu,
                var=float(lin.vcov[2 * d + 1, 2 * d + 1]) / _scalar(_mu_eta, st.coef) ** 2,
                naive_var=1.0 / (st.c * float(s_w[d])),
                deviance=st.dev,
                dispersion=float(dispersion),
                s_w=float(s_w[d]),
                s_wy=float(s_wy[d]),
                const=float(const[d]),
                converged=st.converged,
                p=float(p[d]),
                p_var=float(lin.vcov[2 * d, 2 * d]),
                n=int(n_pos[d]),
                degf=int(lin.degf[d]),
            )
        )
    return out


@dataclass(frozen=True)
class _Steps:
    coef: float
    mu: float
    c: float
    dev: float
    converged: bool


def _iterate(
    coef: float, devold: float, s_w: float, s_wy: float, const: float, epsilon: float, maxit: int
) -> _Steps | None:
    """glm.fit's iterations 2, 3, ...: with one common fitted mean they are scalar. None
    when R stops after the first (see :func:`fit_intercept_logit`)."""
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
    return _Steps(coef, mu_s, c, dev, converged)
