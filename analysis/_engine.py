"""Vectorised ratio-of-totals estimation over domains, shared by estimates and tests.

Every linear statistic here (total, mean, proportion, ratio) is ``sum(w y) / sum(w x)``
per domain, with influence values ``w (y - r x) / sum(w x)`` on the domain's rows (R's
``svymean``/``svytotal``/``svyratio``). For an uncalibrated design the PSU totals of the
influence values are built straight from ``np.bincount`` on ``psu * D + domain`` keys, so
no n x k matrix is formed; a calibrated design needs row-level influence values, because
its calibration residuals cut across PSUs. Rows of zero weight add nothing and are
skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from instruments.messages import gettext_noop

from ._arrays import BoolArray, FloatArray, IntArray
from ._values import Domains, Values, take
from .design import Design
from .errors import EmptyDomainError

Kind = Literal["mean", "total", "ratio"]


@dataclass(frozen=True, eq=False)
class Linear:
    """Estimates (D x m), their joint covariance (D*m square, domain-major) and counts.

    ``idx`` are the rows used (None: all rows) and ``dom`` their domains (None: one).
    """

    estimate: FloatArray
    vcov: FloatArray
    weight_sum: FloatArray
    n_obs: IntArray
    cases: IntArray | None
    degf: IntArray
    dom: IntArray | None
    idx: IntArray | None


def linear(
    design: Design,
    values: Values,
    domains: Domains,
    kind: Kind,
    denominator: Values | None = None,
    rows: BoolArray | None = None,
    centre: FloatArray | None = None,
) -> Linear:
    """Totals, means or ratios of ``values`` in every domain, with joint covariance.

    ``centre`` (D x m) replaces the estimates as the centring constants of the influence
    values (svyglm's fitted mean instead of the sample mean); NaN entries keep the estimate.
    """
    n_dom, m = domains.count, values.m
    ok = design.weights != 0
    if rows is not None:
        ok &= rows
    if not values.all_valid:
        ok &= values.ok()
    if denominator is not None:
        ok &= denominator.ok()
    if not domains.whole:
        ok &= domains.codes >= 0
    idx = None if ok.all() else np.flatnonzero(ok)
    w = take(design.weights, idx)
    dd = None if n_dom == 1 else take(domains.codes, idx)
    if dd is None:
        wsum, n_obs = np.array([w.sum()]), np.array([w.size])
    else:
        wsum, n_obs = np.bincount(dd, weights=w, minlength=n_dom), np.bincount(dd, minlength=n_dom)
    if np.any(n_obs == 0):
        d = int(np.flatnonzero(n_obs == 0)[0])
        raise EmptyDomainError(
            gettext_noop("Domain {domain} has no respondents with a valid answer to {variable}."),
            domain=domains.names[d] or "(whole sample)",
            variable=", ".join(dict.fromkeys(values.variables)),
        )
    sy = values.sums(dd, w, n_dom, idx)
    sx = _denominator(kind, denominator, dd, w, n_dom, idx, wsum, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = sy if sx is None else sy / sx
    ctr = est if centre is None else np.where(np.isnan(centre), est, centre)
    n_psus = design.n_psus
    key = take(design.psu, idx) if dd is None else take(design.psu, idx) * n_dom + dd
    # every row, one domain, rows sorted by PSU: PSU totals are segmented sums
    starts = design.psu_starts() if idx is None and dd is None else None
    if starts is not None:
        psu_w = np.add.reduceat(w, starts)[:, None]
    else:
        psu_w = np.bincount(key, weights=w, minlength=n_psus * n_dom).reshape(n_psus, n_dom)
    if design.calibrated:
        z = np.zeros((design.n, n_dom, m))
        y = values.rows(idx, design.n)
        if sx is None:
            val = w[:, None] * y
        else:
            x = np.ones((w.size, 1)) if kind == "mean" else denominator.rows(idx, design.n)  # type: ignore[union-attr]
            d_of = np.zeros(w.size, dtype=np.int64) if dd is None else dd
            val = w[:, None] * (y - ctr[d_of] * x) / sx[d_of]
        at = np.arange(design.n) if idx is None else idx
        z[at, 0 if dd is None else dd, :] = val
        totals = design.psu_totals(design.residualize(z.reshape(design.n, -1)))
    else:
        ty = None if starts is None else values.segment_sums(starts, w)
        if ty is None:
            ty = values.sums(key, w, n_psus * n_dom, idx)
        ty = ty.reshape(n_psus, n_dom, m)
        if sx is None:
            totals = ty
        else:
            if kind == "mean":
                tx = psu_w[:, :, None]
            else:
                assert denominator is not None
                tx = _repeat(denominator.sums(key, w, n_psus * n_dom, idx), m)
                tx = tx.reshape(n_psus, n_dom, m)
            with np.errstate(divide="ignore", invalid="ignore"):
                totals = (ty - ctr[None] * tx) / sx[None]
        totals = totals.reshape(n_psus, -1)
    vcov = design.vcov_from_psu_totals(totals, _present(design, idx, dd, n_dom, m))
    cases = None
    if values.is_factor:
        assert values.codes is not None
        codes = take(values.codes, idx)
        flat = codes if dd is None else dd * m + codes
        cases = np.bincount(flat, minlength=n_dom * m).reshape(n_dom, m)
    return Linear(est, vcov, wsum, n_obs, cases, _degf(design, psu_w), dd, idx)


def _repeat(a: FloatArray, m: int) -> FloatArray:
    return a if a.shape[1] == m else np.repeat(a, m, axis=1)


def _denominator(
    kind: Kind,
    denominator: Values | None,
    dd: IntArray | None,
    w: FloatArray,
    n_dom: int,
    idx: IntArray | None,
    wsum: FloatArray,
    m: int,
) -> FloatArray | None:
    if kind == "total":
        return None
    if kind == "mean":
        return wsum[:, None]
    assert denominator is not None
    return _repeat(denominator.sums(dd, w, n_dom, idx), m)


def _degf(design: Design, psu_w: FloatArray) -> IntArray:
    """PSUs minus strata with positive weight, per domain (R's ``degf(subset(...))``)."""
    has = psu_w > 0
    strata = np.zeros((design.n_strata, has.shape[1]))
    np.add.at(strata, design.psu_stratum, has)
    return has.sum(axis=0) - (strata > 0).sum(axis=0)


def _present(
    design: Design, idx: IntArray | None, dd: IntArray | None, n_dom: int, m: int
) -> BoolArray | None:
    """Strata R would see in each domain's design: they rescale lonely_psu='average', and
    with 'fail' only a singleton stratum inside the domain is an error."""
    singles = bool(np.any(design.n_psu == 1))
    if not (design.lonely_psu == "average" or (design.lonely_psu == "fail" and singles)):
        return None
    if design.calibrated:
        per = np.broadcast_to(design.strata_present(), (n_dom, design.n_strata))
    else:
        act = take(design.active, idx)
        strat = take(design.stratum, idx)[act]
        key = strat if dd is None else dd[act] * design.n_strata + strat
        per = np.bincount(key, minlength=n_dom * design.n_strata).reshape(n_dom, -1) > 0
    return np.repeat(per, m, axis=0)


def srs_variance(lin: Linear, values: Values, design: Design) -> FloatArray:
    """R's ``svyvar`` of each column within each domain: n/(n-1) * weighted variance."""
    w = take(design.weights, lin.idx)
    n_dom, m = lin.estimate.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        means = values.sums(lin.dom, w, n_dom, lin.idx) / lin.weight_sum[:, None]
    if values.is_factor:
        ss = means * (1.0 - means) * lin.weight_sum[:, None]
    else:
        d_of = np.zeros(w.size, dtype=np.int64) if lin.dom is None else lin.dom
        dev = values.rows(lin.idx, design.n) - means[d_of]
        ss = np.empty((n_dom, m))
        for j in range(m):
            ss[:, j] = np.bincount(d_of, weights=w * dev[:, j] ** 2, minlength=n_dom)
    nobs = lin.n_obs[:, None].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance: FloatArray = ss / lin.weight_sum[:, None] * nobs / (nobs - 1.0)
        return variance
