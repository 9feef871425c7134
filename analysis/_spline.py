"""R's ``spline(method="fmm")`` and ``approx()``, used to invert a likelihood profile.

The Forsythe-Malcolm-Moler spline takes its end conditions from the cubics through the
first and last four points; R's ``confint`` of a profile interpolates that spline on
``3 * len(x)`` even points and then inverts it linearly, so the same steps are needed to
reproduce R's profile-likelihood intervals to many digits.
"""

from __future__ import annotations

import numpy as np

from ._arrays import FloatArray


def _regularize(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Sort by x and average y over tied x (R's ``regularize.values(ties=mean)``)."""
    ux, inverse = np.unique(x, return_inverse=True)
    if ux.size == x.size:
        order = np.argsort(x, kind="stable")
        return x[order], y[order]
    sums = np.bincount(inverse, weights=y)
    counts = np.bincount(inverse)
    return ux, sums / counts


def fmm_coef(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Coefficients b, c, d of the fmm spline through sorted, distinct (x, y)."""
    n = x.size
    b = np.zeros(n)
    c = np.zeros(n)
    d = np.zeros(n)
    if n < 2:
        return b, c, d
    if n < 3:
        t = (y[1] - y[0]) / (x[1] - x[0])
        b[:] = t
        return b, c, d
    nm1 = n - 1
    d[0] = x[1] - x[0]
    c[1] = (y[1] - y[0]) / d[0]
    for i in range(1, nm1):
        d[i] = x[i + 1] - x[i]
        b[i] = 2.0 * (d[i - 1] + d[i])
        c[i + 1] = (y[i + 1] - y[i]) / d[i]
        c[i] = c[i + 1] - c[i]
    b[0] = -d[0]
    b[nm1] = -d[n - 2]
    c[0] = c[nm1] = 0.0
    if n > 3:
        c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
        c[nm1] = c[n - 2] / (x[nm1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4])
        c[0] = c[0] * d[0] * d[0] / (x[3] - x[0])
        c[nm1] = -c[nm1] * d[n - 2] * d[n - 2] / (x[nm1] - x[n - 4])
    for i in range(1, n):
        t = d[i - 1] / b[i - 1]
        b[i] = b[i] - t * d[i - 1]
        c[i] = c[i] - t * c[i - 1]
    c[nm1] = c[nm1] / b[nm1]
    for i in range(n - 2, -1, -1):
        c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
    b[nm1] = (y[nm1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[nm1])
    for i in range(nm1):
        b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i])
        d[i] = (c[i + 1] - c[i]) / d[i]
        c[i] = 3.0 * c[i]
    c[nm1] = 3.0 * c[nm1]
    d[nm1] = d[n - 2]
    return b, c, d


def spline(x: FloatArray, y: FloatArray, n_out: int | None = None) -> tuple[FloatArray, FloatArray]:
    """R's ``spline(x, y)``: the fmm spline evaluated on ``3 * len(x)`` even points."""
    n_out = 3 * x.size if n_out is None else n_out
    xs, ys = _regularize(np.asarray(x, float), np.asarray(y, float))
    b, c, d = fmm_coef(xs, ys)
    u = np.linspace(xs[0], xs[-1], n_out)
    i = np.clip(np.searchsorted(xs, u, side="right") - 1, 0, xs.size - 1)
    dx = u - xs[i]
    return u, ys[i] + dx * (b[i] + dx * (c[i] + dx * d[i]))


def approx(x: FloatArray, y: FloatArray, xout: FloatArray) -> FloatArray:
    """R's ``approx(x, y, xout)`` (linear, NA outside the range of x)."""
    xs, ys = _regularize(np.asarray(x, float), np.asarray(y, float))
    out = np.interp(xout, xs, ys)
    return np.where((xout < xs[0]) | (xout > xs[-1]), np.nan, out)
