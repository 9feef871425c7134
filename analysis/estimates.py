"""Means, totals, ratios and proportions with linearisation variances (R's svymean & co).

Missing values are dropped per call as with ``na.rm=TRUE``: a respondent missing any of
the requested variables leaves that call's domain (R's ``design[!is.na(x), ]``).
Design effects compare with simple random sampling without replacement (``deff=True``)
or with replacement (``deff="replace"``), computed exactly as R does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats

from instruments.messages import gettext_noop

from ._arrays import BoolArray, Factor, FloatArray, IntArray, as_mask
from ._engine import Linear, linear, srs_variance
from ._values import Domains, Values, make_values, whole_sample
from .design import Design
from .errors import AnalysisError

Deff = bool | Literal["replace"]


def interval(
    estimate: FloatArray, se: FloatArray, level: float = 0.95, df: float | None = None
) -> tuple[FloatArray, FloatArray]:
    """Wald interval ``estimate -/+ q se``: normal quantile (R's confint default) or t(df)."""
    if not 0.0 < level < 1.0:
        raise AnalysisError(gettext_noop("The confidence level must lie between 0 and 1."))
    a = (1.0 - level) / 2.0
    if df is None or np.isinf(df):
        lo_q, hi_q = stats.norm.ppf(a), stats.norm.ppf(1.0 - a)
    else:
        lo_q, hi_q = stats.t.ppf(a, df), stats.t.ppf(1.0 - a, df)
    return estimate + se * lo_q, estimate + se * hi_q


@dataclass(frozen=True, eq=False)
class Estimate:
    """One or more linear statistics on one (sub)population.

    ``terms`` are R's names (``score``, ``q5L1``); ``variables``/``levels`` say which
    variable and factor level each term is. ``n`` is the unweighted number of respondents
    behind each term (the base of a percentage); ``cases`` the unweighted count in each
    factor level. ``degf`` is the design degrees of freedom of this (sub)population.
    """

    statistic: str
    terms: tuple[str, ...]
    variables: tuple[str, ...]
    levels: tuple[str | None, ...]
    estimate: FloatArray
    vcov: FloatArray
    n: IntArray
    cases: IntArray | None
    deff: FloatArray | None
    degf: int

    @property
    def se(self) -> FloatArray:
        se: FloatArray = np.sqrt(np.diag(self.vcov))
        return se

    @property
    def cv(self) -> FloatArray:
        cv: FloatArray = self.se / self.estimate
        return cv

    def confint(
        self, level: float = 0.95, df: float | None = None
    ) -> tuple[FloatArray, FloatArray]:
        return interval(self.estimate, self.se, level, df)

    def index(self, term: str) -> int:
        try:
            return self.terms.index(term)
        except ValueError:
            raise AnalysisError(gettext_noop("Unknown term {term}."), term=term) from None

    def __getitem__(self, term: str) -> float:
        return float(self.estimate[self.index(term)])


def _rows(design: Design, where: Any) -> BoolArray | None:
    return None if where is None else as_mask(where, design.n, "domain mask")


def _check_missing(values: Values, design: Design, na_rm: bool, rows: BoolArray | None) -> None:
    if na_rm:
        return
    used = design.weights != 0 if rows is None else (design.weights != 0) & rows
    if np.any(~values.ok() & used):
        raise AnalysisError(
            gettext_noop("{variable} has missing values; use na_rm=True to drop them."),
            variable=", ".join(dict.fromkeys(values.variables)),
        )


def design_effect(
    lin: Linear, values: Values, design: Design, statistic: str, deff: Deff
) -> FloatArray:
    """R's deff: design variance over the SRS variance of the same estimator."""
    var = srs_variance(lin, values, design)
    nobs = lin.n_obs[:, None].astype(np.float64)
    big_n = lin.weight_sum[:, None]
    replace = deff == "replace"
    with np.errstate(divide="ignore", invalid="ignore"):
        if statistic == "mean":
            vsrs = var / nobs if replace else var * (big_n - nobs) / (big_n * nobs)
            if not replace:
                vsrs = np.where(big_n < nobs, np.nan, vsrs)
        else:
            vsrs = (
                var * big_n**2 / nobs
                if replace
                else var * big_n**2 * (big_n - nobs) / (big_n * nobs)
            )
        d, m = lin.estimate.shape
        diag = np.diag(lin.vcov).reshape(d, m)
        return diag / vsrs


def _single(
    design: Design,
    values: Values,
    statistic: str,
    kind: Literal["mean", "total", "ratio"],
    *,
    denominator: Values | None = None,
    where: Any = None,
    na_rm: bool = True,
    deff: Deff = False,
) -> Estimate:
    rows = _rows(design, where)
    _check_missing(values, design, na_rm, rows)
    doms: Domains = whole_sample(design.n)
    lin = linear(design, values, doms, kind, denominator, rows)
    d_eff = None
    if deff is not False and kind != "ratio":
        d_eff = design_effect(lin, values, design, statistic, deff)[0]
    n_base = np.full(values.m, int(lin.n_obs[0]), dtype=np.int64)
    return Estimate(
        statistic=statistic,
        terms=values.terms,
        variables=values.variables,
        levels=values.levels,
        estimate=lin.estimate[0],
        vcov=lin.vcov,
        n=n_base,
        cases=None if lin.cases is None else lin.cases[0],
        deff=d_eff,
        degf=int(lin.degf[0]),
    )


def mean(
    design: Design,
    values: Any,
    *,
    name: str = "y",
    where: Any = None,
    na_rm: bool = True,
    deff: Deff = False,
) -> Estimate:
    """Weighted mean(s); a categorical variable gives the proportion of every level.

    ``values`` is an array, a :class:`~analysis.Factor` (or strings / pandas categorical)
    or a mapping of names to those. ``where`` restricts to a domain on the full design.
    """
    vals = make_values(values, design.n, name)
    return _single(design, vals, "mean", "mean", where=where, na_rm=na_rm, deff=deff)


def proportions(
    design: Design, factor: Any, *, name: str = "y", where: Any = None, deff: Deff = False
) -> Estimate:
    """Proportion of every level of ``factor`` with their full covariance (svymean on a factor)."""
    vals = make_values({name: factor}, design.n)
    if not vals.is_factor:  # numeric codes: treat each distinct value as a level
        vals = make_values({name: Factor.from_values(np.asarray(factor))}, design.n)
    return _single(design, vals, "mean", "mean", where=where, deff=deff)


def total(
    design: Design,
    values: Any,
    *,
    name: str = "y",
    where: Any = None,
    na_rm: bool = True,
    deff: Deff = False,
) -> Estimate:
    """Weighted total(s); a categorical variable gives the estimated count in each level."""
    vals = make_values(values, design.n, name)
    return _single(design, vals, "total", "total", where=where, na_rm=na_rm, deff=deff)


def ratio(
    design: Design,
    numerator: Any,
    denominator: Any,
    *,
    name: str = "ratio",
    where: Any = None,
    na_rm: bool = True,
) -> Estimate:
    """Ratio of totals ``sum(w y) / sum(w x)`` as R's ``svyratio`` (each numerator column
    over the single ``denominator``)."""
    num = make_values(numerator, design.n, name)
    den = make_values(denominator, design.n, "denominator")
    if den.m != 1 or den.is_factor:
        raise AnalysisError(gettext_noop("The ratio denominator must be one numeric variable."))
    if num.is_factor:
        raise AnalysisError(gettext_noop("The ratio numerator must be numeric."))
    rows = _rows(design, where)
    _check_missing(num, design, na_rm, rows)
    _check_missing(den, design, na_rm, rows)
    return _single(design, num, "ratio", "ratio", denominator=den, where=rows, na_rm=True)
