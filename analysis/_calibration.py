"""Calibration records kept on a design and the generalised-raking solver.

Each step reproduces how R's ``svyrecvar`` turns influence values into residuals before
the PSU totals are formed (the ``postStrata`` list of a survey.design2):

* post-stratification: ``x - psw * rowsum(x oldw / psw) / sum(oldw)`` per post-stratum;
* raking: ten sweeps of ``x - psw * ave(x / psw, margin)`` over the margins, with the
  weights each margin had in raking's last pass;
* GREG calibration (linear or raking calfun): ``qr.resid(qr(X sqrt(w0)), x / v) * v`` with
  ``v = g sqrt(w0)``.

``rows`` are the rows R still holds after dropping a domain from an uncalibrated design;
other rows take no part and come back as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._arrays import BoolArray, FloatArray, IntArray


def _safe_div(x: FloatArray, w: FloatArray) -> FloatArray:
    """x / w, with 0 where w is 0 (R would give NaN; such rows have no influence)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(w[:, None] != 0, x / w[:, None], 0.0)


def _group_sums(codes: IntArray, x: FloatArray, size: int) -> FloatArray:
    out = np.empty((size, x.shape[1]))
    for j in range(x.shape[1]):
        out[:, j] = np.bincount(codes, weights=x[:, j], minlength=size)
    return out


@dataclass(frozen=True, eq=False)
class PostStratStep:
    groups: IntArray
    n_groups: int
    weights: FloatArray
    old_weights: FloatArray

    def residualize(self, x: FloatArray, rows: BoolArray | None) -> FloatArray:
        sel = slice(None) if rows is None else rows
        g = self.groups[sel]
        psw = self.weights[sel].copy()
        oldw = self.old_weights[sel]
        psw[(psw == 0) & (oldw == 0)] = 1.0
        xs = x[sel]
        num = _group_sums(g, xs * (oldw / np.where(psw == 0, 1.0, psw))[:, None], self.n_groups)
        den = np.bincount(g, weights=oldw, minlength=self.n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.where(den[:, None] != 0, num / den[:, None], 0.0)
        out = np.zeros_like(x)
        out[sel] = xs - means[g] * psw[:, None]
        return out


@dataclass(frozen=True, eq=False)
class RakeStep:
    """R's raking residuals: ten sweeps of ``x <- x - psw_m * ave(x / psw_m, margin_m)``.

    Every sweep subtracts ``psw_m * c[g_m]`` for per-category constants ``c``, so the
    sweeps are run on those constants (size: categories x columns) with the cross sums
    ``C[m, m'][l, l'] = sum over rows in category l of m and l' of m' of psw_m' / psw_m``;
    the rows are touched once before and once after. Same arithmetic as R, far fewer
    passes over the data.
    """

    margins: tuple[tuple[IntArray, int, FloatArray], ...]
    passes: int
    converged: bool
    sweeps: int = 10

    def residualize(self, x: FloatArray, rows: BoolArray | None) -> FloatArray:
        sel = slice(None) if rows is None else rows
        xs = x[sel]
        parts = [(g[sel], k, w[sel]) for g, k, w in self.margins]
        inv = [np.where(psw != 0, 1.0 / np.where(psw != 0, psw, 1.0), 0.0) for _, _, psw in parts]
        counts = [np.bincount(g, minlength=k).astype(np.float64) for g, k, _ in parts]
        sums = [
            _group_sums(g, xs * iv[:, None], k) for (g, k, _), iv in zip(parts, inv, strict=True)
        ]
        cross = [
            [
                np.bincount(g * k2 + g2, weights=psw2 * iv, minlength=k * k2).reshape(k, k2)
                for (g2, k2, psw2) in parts
            ]
            for (g, k, _), iv in zip(parts, inv, strict=True)
        ]
        coefs = [np.zeros((k, x.shape[1])) for _, k, _ in parts]
        for _ in range(self.sweeps):
            for m in range(len(parts)):
                moved = sum(cross[m][j] @ coefs[j] for j in range(len(parts)))
                with np.errstate(divide="ignore", invalid="ignore"):
                    means = np.where(
                        counts[m][:, None] > 0, (sums[m] - moved) / counts[m][:, None], 0.0
                    )
                coefs[m] = coefs[m] + means
        res = xs.copy()
        for (g, _, psw), c in zip(parts, coefs, strict=True):
            res -= psw[:, None] * c[g]
        out = np.zeros_like(x)
        out[sel] = res
        return out


@dataclass(frozen=True, eq=False)
class GregStep:
    """``basis`` spans the columns of X * sqrt(w0) over all rows (cached for speed)."""

    x: FloatArray
    whalf: FloatArray
    v: FloatArray
    basis: FloatArray

    @classmethod
    def build(cls, x: FloatArray, w0: FloatArray, g: FloatArray) -> GregStep:
        whalf = np.sqrt(w0)
        return cls(x, whalf, g * whalf, orthonormal_basis(x * whalf[:, None]))

    def residualize(self, x: FloatArray, rows: BoolArray | None) -> FloatArray:
        sel: BoolArray | slice
        if rows is None:
            q, sel = self.basis, slice(None)
        else:
            sel = rows
            q = orthonormal_basis(self.x[rows] * self.whalf[rows][:, None])
        v = self.v[sel]
        b = _safe_div(x[sel], v)
        out = np.zeros_like(x)
        out[sel] = (b - q @ (q.T @ b)) * v[:, None]
        return out


def orthonormal_basis(a: FloatArray, tol: float = 1e-7) -> FloatArray:
    """Orthonormal basis of the column space of ``a`` (rank-revealing, like R's qr)."""
    u, s, _ = np.linalg.svd(a, full_matrices=False)
    if s.size == 0:
        return u
    return u[:, s > tol * s[0]]


# ------------------------------------------------------------------ grake ----
def _fm1(u: FloatArray, calfun: str, lower: float, upper: float) -> FloatArray:
    if calfun == "linear":
        return np.minimum(np.maximum(u + 1.0, lower), upper) - 1.0
    return np.minimum(np.maximum(np.exp(u), lower), upper) - 1.0


def _df(u: FloatArray, calfun: str, lower: float, upper: float) -> FloatArray:
    inside = (u < upper - 1.0) & (u > lower - 1.0)
    if calfun == "linear":
        return inside.astype(np.float64)
    return np.where(inside, np.exp(u), 0.0)


@dataclass(frozen=True)
class GrakeResult:
    g: FloatArray
    iterations: int
    achieved: float
    converged: bool


def grake(
    mm: FloatArray,
    ww: FloatArray,
    population: FloatArray,
    calfun: str,
    lower: float,
    upper: float,
    epsilon: float,
    maxit: int,
) -> GrakeResult:
    """R's ``grake``: Newton steps on the calibration equations (no variance argument)."""
    sample_total = mm.T @ ww
    eta = np.zeros(mm.shape[1])
    xeta = mm @ eta
    scales = population / sample_total
    scale = None
    if np.min(scales) > 20:
        scale = float(np.mean(scales))
        ww = ww * scale
        sample_total = sample_total * scale
    deriv = _df(xeta, calfun, lower, upper)
    iteration = 1
    converged = False
    achieved = np.inf
    g = 1.0 + _fm1(xeta, calfun, lower, upper)
    while True:
        tmat = (mm * (ww * deriv)[:, None]).T @ mm
        misfit = population - sample_total - mm.T @ (ww * _fm1(xeta, calfun, lower, upper))
        deta = np.linalg.pinv(tmat, rcond=256 * np.finfo(float).eps) @ misfit
        eta = eta + deta
        xeta = mm @ eta
        g = 1.0 + _fm1(xeta, calfun, lower, upper)
        deriv = _df(xeta, calfun, lower, upper)
        while iteration < maxit and not (np.all(np.isfinite(g)) and np.all(np.isfinite(deriv))):
            iteration += 1
            deta = deta / 2.0
            eta = eta - deta
            xeta = mm @ eta
            g = 1.0 + _fm1(xeta, calfun, lower, upper)
            deriv = _df(xeta, calfun, lower, upper)
        misfit = population - sample_total - mm.T @ (ww * _fm1(xeta, calfun, lower, upper))
        achieved = float(np.max(np.abs(misfit) / (1.0 + np.abs(population))))
        if achieved < epsilon:
            converged = True
            break
        iteration += 1
        if iteration > maxit:
            break
    if scale is not None:
        g = g * scale
    return GrakeResult(g, iteration, achieved, converged)
