"""R's ``glm.fit`` (gaussian/identity, (quasi)binomial/logit), iteration for iteration.

svyglm must reproduce R's iterations, not just the converged fit: R's sandwich uses the
working weights of the last iteration. This follows glm.fit step by step (same start,
same stopping rule ``|dev - dev_old| / (|dev| + 0.1) < 1e-8``, step halving on a
non-finite deviance) with two savings that change results only in the last bits:

* every row has positive prior weight (svyglm leaves the others out) and ``mu_eta``
  never vanishes for these links (R's logit clamps it at DBL_EPSILON), so every row is
  "good" and each iteration is one weighted least-squares fit on all rows;
* each iteration writes into buffers allocated once and goes through the rows in blocks
  (:class:`_Work`), so temporaries stay in the CPU cache: on 200,000 rows streaming a
  fresh temporary through memory per operation costs more than the arithmetic;
* the start ``logit(mustart)`` of a 0/1 outcome is ``+-log1p(2 prior)``.

The weighted least squares uses the normal equations when they are well conditioned and
Householder QR (R's method) otherwise; see :func:`_weighted_ls`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
from scipy import linalg

from instruments.messages import gettext_noop

from ._arrays import FloatArray
from .errors import AnalysisError

Family = Literal["gaussian", "quasibinomial"]

_THRESH = 30.0
_EPS = np.finfo(np.float64).eps
#: Above this condition number of the column-scaled X'WX the normal equations could lose
#: more than ~1e-10 of relative accuracy: solve by QR instead.
_MAX_GRAM_CONDITION = 1e6


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
        dev: FloatArray = wt * (y - mu) ** 2
        return dev
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(y != 0, y * np.log(y / mu), 0.0)
        b = np.where(1 - y != 0, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0)
    deviance: FloatArray = 2.0 * wt * (a + b)
    return deviance


def _dot(a: FloatArray, b: FloatArray) -> float:
    return float(np.einsum("i,i->", a, b))


# ------------------------------------------------------------------ the iteration ----
#: Rows per block: a block's temporaries (``CHUNK x (p + 1)`` doubles) stay in the CPU
#: cache between the steps that touch them, instead of each step streaming all rows.
CHUNK = 32_768


_T = TypeVar("_T")


class _Work:
    """The state of one fit: full-length ``eta``, ``mu``, ``mu_eta`` and working weights,
    plus one block of scratch space; every pass over the rows goes block by block."""

    def __init__(self, x: FloatArray, y: FloatArray, prior: FloatArray, family: Family):
        n, p = x.shape
        self.x, self.y, self.prior, self.family = x, y, prior, family
        self.binary = family == "quasibinomial" and bool(np.all((y == 0.0) | (y == 1.0)))
        self.prior_y = prior * y if self.binary else None
        self.eta, self.mu, self.mu_eta, self.w = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
        # One lane of blocks. (Two lanes on two threads were tried: numpy releases the
        # GIL, but on the 2-core machine the second thread gained nothing and cost ~5%.)
        self.lanes = [[(a, min(n, a + CHUNK)) for a in range(0, n, CHUNK)]]
        self.scratch = [np.empty((min(n, CHUNK), p + 1), order="F")]
        self.block = self.scratch[0]

    def _run(self, fn: Callable[[list[tuple[int, int]], FloatArray], _T]) -> list[_T]:
        """``fn(blocks, scratch)`` for each lane of blocks."""
        return [
            fn(blocks, scratch) for blocks, scratch in zip(self.lanes, self.scratch, strict=True)
        ]

    def start(self) -> float:
        """glm.fit's start: ``mustart = (prior y + 0.5) / (prior + 1)``, ``eta =
        logit(mustart)``. The deviance at the start is returned."""
        y, prior = self.y, self.prior
        if self.family == "gaussian":
            self.eta[:] = y
        elif self.binary:
            # mustart / (1 - mustart) is (2 prior + 1) for y = 1 and its inverse for y = 0
            np.log1p(2.0 * prior, out=self.eta)
            self.eta *= 2.0 * y - 1.0
        else:
            mustart = (prior * y + 0.5) / (prior + 1.0)
            np.log(mustart / (1.0 - mustart), out=self.eta)
        return self.set_eta(None)

    def set_eta(self, coef: FloatArray | None) -> float:
        """``eta = x coef`` (None: keep ``eta``), then ``mu`` and ``mu_eta`` (one
        exponential); returns the deviance. For a 0/1 outcome R's ``2 prior (y log(y/mu)
        + (1-y) log((1-y)/(1-mu)))`` is ``2 prior (log(1 + e^eta) - y eta)``."""
        if self.family == "gaussian":
            if coef is not None:
                np.matmul(self.x, coef, out=self.eta)
            self.mu[:] = self.eta
            self.mu_eta.fill(1.0)
            return float(_dev_resids(self.y, self.mu, self.prior, self.family).sum())
        exact = self.prior_y is not None

        def lane(blocks: list[tuple[int, int]], scratch: FloatArray) -> tuple[float, bool]:
            dev, ok = 0.0, exact
            for a, b in blocks:
                eta, mu, mu_eta = self.eta[a:b], self.mu[a:b], self.mu_eta[a:b]
                if coef is not None:
                    np.matmul(self.x[a:b], coef, out=eta)
                if eta.min() < -_THRESH or eta.max() > _THRESH:  # R's clamps: rare
                    mu[:] = _linkinv(eta, self.family)
                    mu_eta[:] = _mu_eta(eta, self.family)
                    ok = False
                    continue
                e, opx = scratch[: b - a, 0], scratch[: b - a, 1]
                np.exp(eta, out=e)
                np.add(e, 1.0, out=opx)
                np.divide(e, opx, out=mu)
                np.multiply(opx, opx, out=mu_eta)
                np.divide(e, mu_eta, out=mu_eta)  # R: exp(eta) / (1 + exp(eta))^2
                if ok:
                    assert self.prior_y is not None
                    np.log(opx, out=opx)
                    dev += _dot(self.prior[a:b], opx) - _dot(self.prior_y[a:b], eta)
            return dev, ok

        parts = self._run(lane)
        if all(ok for _, ok in parts):
            return 2.0 * sum(dev for dev, _ in parts)
        return float(_dev_resids(self.y, self.mu, self.prior, self.family).sum())

    def cross(self) -> FloatArray:
        """``x' [W x | W z]`` (p x (p + 1)): X'WX and X'Wz, with glm.fit's working weight
        ``W = prior mu_eta^2 / variance(mu)`` (kept in ``self.w``) and working response
        ``z = eta + (y - mu) / mu_eta``. For the logit ``mu_eta`` *is* ``mu (1 - mu)``, so
        ``W = prior mu_eta`` and ``W z = W eta + prior (y - mu)`` (R's values up to the
        last bits); so for the identity link. No square root is taken."""
        p = self.x.shape[1]

        def lane(blocks: list[tuple[int, int]], scratch: FloatArray) -> FloatArray:
            out = np.zeros((p, p + 1))
            for a, b in blocks:
                blk = scratch[: b - a]
                self._fill(a, b, blk)
                out += self.x[a:b].T @ blk
            return out

        return sum(self._run(lane), np.zeros((p, p + 1)))

    def _fill(self, a: int, b: int, blk: FloatArray) -> None:
        p = self.x.shape[1]
        w, wz = self.w[a:b], blk[:, p]
        prior = self.prior[a:b]
        if self.family == "gaussian":
            w[:] = prior
        else:
            np.multiply(prior, self.mu_eta[a:b], out=w)
        np.subtract(self.y[a:b], self.mu[a:b], out=wz)
        wz *= prior
        np.multiply(self.eta[a:b], w, out=blk[:, 0])
        wz += blk[:, 0]
        np.multiply(self.x[a:b], w[:, None], out=blk[:, :p])

    def augmented(self) -> FloatArray:
        """All rows of ``[x w | z w]``, ``w = sqrt(W)`` of the last :meth:`cross`, for
        the QR."""
        n, p = self.x.shape
        aug = np.empty((n, p + 1), order="F")
        sw = np.sqrt(self.w)
        z = aug[:, p]
        np.subtract(self.y, self.mu, out=z)
        z /= self.mu_eta
        z += self.eta
        z *= sw
        np.multiply(self.x, sw[:, None], out=aug[:, :p])
        return aug


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
    """R's ``glm.fit`` on rows of positive prior weight (column-major ``x`` is fastest)."""
    if prior.size == 0 or not np.all(prior > 0):
        raise AnalysisError(gettext_noop("No respondents with positive weight are left to fit."))
    ws = _Work(x, y, prior, family)
    if family == "quasibinomial" and not ws.binary and np.any((y < 0) | (y > 1)):
        raise AnalysisError(gettext_noop("A logistic model needs an outcome between 0 and 1."))
    devold = dev = ws.start()
    coef = coefold = r_mat = None
    converged = False
    it = 0
    for it in range(1, maxit + 1):  # noqa: B007
        coef, r_mat = _weighted_ls(ws)
        dev = ws.set_eta(coef)
        halvings = 0
        while not np.isfinite(dev) and coefold is not None and halvings < maxit:
            halvings += 1
            coef = (coef + coefold) / 2.0
            dev = ws.set_eta(coef)
        if abs(dev - devold) / (abs(dev) + 0.1) < epsilon:
            converged = True
            break
        devold = dev
        coefold = coef
    assert coef is not None and r_mat is not None
    r_inv = linalg.solve_triangular(r_mat, np.eye(r_mat.shape[0]))
    resid = y - ws.mu
    resid /= ws.mu_eta
    return IRLSFit(
        coef=coef,
        mu=ws.mu,
        eta=ws.eta,
        working_weights=ws.w,  # of the last iteration, as R's sandwich
        working_residuals=resid,
        xtwx_inv=r_inv @ r_inv.T,
        deviance=dev,
        iterations=it,
        converged=converged,
    )


# ------------------------------------------------------------------ least squares ----
class RankDeficient(AnalysisError):
    def __init__(self, column: int) -> None:
        self.column = column
        super().__init__(
            gettext_noop("The model matrix is rank deficient: remove redundant terms.")
        )


def _weighted_ls(ws: _Work) -> tuple[FloatArray, FloatArray]:
    """Least squares of ``z w`` on ``x w``: the coefficients and the triangular factor R
    of ``x w`` (R'R = X'WX).

    Normal equations first: one product of ``[x w | z w]`` with itself gives X'WX and
    X'Wz. With the columns scaled to unit length, when X'WX's condition number is at most
    ``_MAX_GRAM_CONDITION`` its Cholesky factor gives the coefficients to ~1e-10 or
    better, and no column can be (nearly) redundant. Otherwise the Householder QR decides
    (:func:`_weighted_qr`), which is what R does every time.
    """
    cross = ws.cross()
    p = cross.shape[0]
    gram, rhs = cross[:, :p], cross[:, p]
    d = np.sqrt(np.diag(gram))
    if np.all(d > 0) and np.all(np.isfinite(cross)):
        scaled = gram / np.outer(d, d)
        eig = np.linalg.eigvalsh(scaled)
        if eig[0] > eig[-1] / _MAX_GRAM_CONDITION:
            r_s = linalg.cholesky(scaled, lower=False, check_finite=False)
            coef = linalg.cho_solve((r_s, False), rhs / d, check_finite=False) / d
            return coef, r_s * d[None, :]
    return _weighted_qr(ws.augmented())


def _weighted_qr(aug: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Least squares by QR of ``aug = [x w | z w]`` (overwritten); a column (nearly) in
    the span of earlier ones is refused.

    The R factor of ``[x w | z w]`` holds R and Q'(z w), so Q (n x p) is never formed:
    the same arithmetic as QR-then-Q'b at a fraction of the cost.
    """
    p = aug.shape[1] - 1
    norms = np.sqrt(np.einsum("ij,ij->j", aug[:, :p], aug[:, :p]))
    r_aug = linalg.qr(aug, mode="r", overwrite_a=True, check_finite=False)[0]
    r, qtb = r_aug[:p, :p], r_aug[:p, p]
    bad = np.abs(np.diag(r)) <= 1e-7 * np.maximum(norms, np.finfo(float).tiny)
    if np.any(bad):
        raise RankDeficient(int(np.flatnonzero(bad)[0]))
    return linalg.solve_triangular(r, qtb), r
