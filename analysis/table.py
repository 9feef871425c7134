"""The one shape in which aggregate results leave the analysis package: ``EstimateTable``.

One row per (variable, level, domain): ``by`` names the domain variable (``""`` for the
whole sample, whose ``domain`` is ``""`` too). ``n`` is the unweighted number of
respondents with a valid answer in the domain (the base of a percentage), ``count`` the
unweighted number in the level (for a mean: ``n``). ``exhaustive`` says that the levels of
the variable partition its base (a single-choice item) rather than being separate yes/no
questions (the options of a multiple-choice item), which matters for suppression.

Blank values: float columns hold NaN and integer columns -1 where a value is suppressed
or undefined (``flag`` says which); ``to_records()`` turns both into None, so no NaN
reaches JSON, templates or exports. Tables are built unsuppressed (``k is None``) and
published through :func:`analysis.suppression.suppress`, which sets ``k``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
from scipy import stats

from instruments.messages import gettext_noop

from ._arrays import FloatArray, IntArray
from .codebook import Codebook
from .domains import DomainEstimate
from .errors import AnalysisError
from .estimates import Estimate

PUBLISHED, PRIMARY, COMPLEMENTARY = 0, 1, 2
FLAG_NAMES = ("published", "suppressed", "suppressed_complementary")

_STR = ("item", "variable", "level", "statistic", "by", "domain")
_INT = ("n", "count", "df")
_FLOAT = ("estimate", "se", "ci_l", "ci_u", "deff")


@dataclass(frozen=True, eq=False)
class EstimateTable:
    item: np.ndarray
    variable: np.ndarray
    level: np.ndarray
    statistic: np.ndarray
    by: np.ndarray
    domain: np.ndarray
    n: IntArray
    count: IntArray
    estimate: FloatArray
    se: FloatArray
    ci_l: FloatArray
    ci_u: FloatArray
    deff: FloatArray
    df: IntArray
    exhaustive: np.ndarray
    flag: np.ndarray
    level_ci: float = 0.95
    k: int | None = None

    def __len__(self) -> int:
        return int(self.variable.shape[0])

    @classmethod
    def from_columns(cls, columns: dict[str, Any], level_ci: float = 0.95) -> EstimateTable:
        size = len(columns["variable"])
        out: dict[str, Any] = {}
        for name in _STR:
            out[name] = np.asarray(columns.get(name, [""] * size), dtype=str)
        for name in _INT:
            out[name] = np.asarray(columns.get(name, np.full(size, -1)), dtype=np.int64)
        for name in _FLOAT:
            out[name] = np.asarray(columns.get(name, np.full(size, np.nan)), dtype=np.float64)
        out["exhaustive"] = np.asarray(columns.get("exhaustive", np.ones(size, bool)), dtype=bool)
        out["flag"] = np.asarray(columns.get("flag", np.zeros(size, np.int8)), dtype=np.int8)
        for name, arr in out.items():
            if arr.shape != (size,):
                raise AnalysisError(
                    gettext_noop("Table column {name} has the wrong length."), name=name
                )
        return cls(**out, level_ci=level_ci)

    @staticmethod
    def concat(tables: Sequence[EstimateTable]) -> EstimateTable:
        if not tables:
            return EstimateTable.from_columns({"variable": []})
        cols = {
            f.name: np.concatenate([getattr(t, f.name) for t in tables])
            for f in fields(EstimateTable)
            if f.name not in ("level_ci", "k")
        }
        return EstimateTable(**cols, level_ci=tables[0].level_ci, k=tables[0].k)

    def take(self, idx: Any) -> EstimateTable:
        cols = {
            f.name: getattr(self, f.name)[idx]
            for f in fields(self)
            if f.name not in ("level_ci", "k")
        }
        return replace(self, **cols)

    def where(self, **equal: str) -> EstimateTable:
        """Rows whose string columns equal the given values (``where(by="sex")``)."""
        mask = np.ones(len(self), dtype=bool)
        for name, value in equal.items():
            mask &= getattr(self, name) == value
        return self.take(mask)

    @property
    def suppressed(self) -> np.ndarray:
        suppressed: np.ndarray = self.flag != PUBLISHED
        return suppressed

    def to_records(
        self, codebook: Codebook | None = None, language: str | None = None
    ) -> list[dict[str, Any]]:
        """Plain dicts (JSON-ready: None for blanks); with a codebook also the labels of
        variable, level and domain in ``language`` (default: the codebook's)."""
        lang = language or (codebook.language if codebook else "")
        out = []
        flags = self.flag.tolist()
        cols = {name: getattr(self, name).tolist() for name in (*_STR, *_INT, *_FLOAT)}
        for i in range(len(self)):
            rec: dict[str, Any] = {name: cols[name][i] for name in _STR}
            for name in _INT:
                v = cols[name][i]
                rec[name] = None if v < 0 else v
            for name in _FLOAT:
                v = cols[name][i]
                rec[name] = None if v != v else v
            rec["suppressed"] = flags[i] != PUBLISHED
            rec["flag"] = FLAG_NAMES[flags[i]]
            if codebook is not None:
                rec.update(_labels(codebook, lang, rec))
            out.append(rec)
        return out


def _labels(book: Codebook, lang: str, rec: dict[str, Any]) -> dict[str, str]:
    out = {"variable_label": rec["variable"], "level_label": rec["level"], "domain_label": ""}
    var = book.get(rec["variable"])
    if var is not None:
        out["variable_label"] = var.label(lang)
        lv = next((x for x in var.levels if x.code == rec["level"]), None)
        if lv is not None:
            out["level_label"] = lv.label(lang)
        elif var.option is not None:
            out["level_label"] = var.label(lang)
    dom = book.get(rec["by"]) if rec["by"] else None
    if dom is not None:
        lv = next((x for x in dom.levels if x.code == rec["domain"]), None)
        out["domain_label"] = lv.label(lang) if lv is not None else rec["domain"]
    return out


# ---------------------------------------------------------------- intervals ----
def _quantile(df: IntArray | FloatArray, level: float) -> FloatArray:
    """Upper t quantile for df > 0 (NaN elsewhere), without warnings."""
    d = np.asarray(df, dtype=np.float64)
    q = np.full(d.shape, np.nan)
    ok = d > 0
    if ok.any():
        uniq, inv = np.unique(d[ok], return_inverse=True)
        q[ok] = np.asarray(stats.t.ppf(0.5 + level / 2.0, uniq))[inv]
    return q


def mean_ci(
    est: FloatArray, se: FloatArray, df: IntArray, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """``est -/+ t(df) se``; blank (NaN) where df <= 0 or the estimate is blank."""
    q = _quantile(df, level)
    return est - q * se, est + q * se


def exact_edges(
    p: FloatArray, se: FloatArray, count: IntArray, n: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Proportions whose level holds none or all of the base are exactly 0 or 1 with no
    sampling variance (the weighted sums can miss that by rounding)."""
    zero, full = count == 0, (count == n) & (n > 0)
    edge = zero | full
    return np.where(zero, 0.0, np.where(full, 1.0, p)), np.where(edge, 0.0, se)


def prop_ci(
    p: FloatArray, se: FloatArray, df: IntArray, n: IntArray, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """R's ``svyciprop(method="logit")``: ``expit(logit(p) -/+ t(df) se / (p (1-p)))``.

    At convergence this is the Wald interval of the intercept-only quasibinomial model
    that R fits (its variance is the mean's over ``(p (1-p))^2``). At p = 0 or 1 the
    linearised variance is 0 and R returns a degenerate interval; here it is the
    Clopper-Pearson interval on the unweighted ``n``, [0, 1 - (alpha/2)^(1/n)].
    """
    q = _quantile(df, level)
    lo = np.full(p.shape, np.nan)
    hi = np.full(p.shape, np.nan)
    inner = (p > 0) & (p < 1) & ~np.isnan(q)
    if inner.any():
        pi, qi = p[inner], q[inner]
        centre = np.log(pi / (1.0 - pi))
        half = qi * se[inner] / (pi * (1.0 - pi))
        lo[inner] = 1.0 / (1.0 + np.exp(-(centre - half)))
        hi[inner] = 1.0 / (1.0 + np.exp(-(centre + half)))
    alpha = 1.0 - level
    nn = np.maximum(np.asarray(n, dtype=np.float64), 1.0)
    edge = 1.0 - (alpha / 2.0) ** (1.0 / nn)
    zero = (p == 0) & (n > 0)
    one = (p == 1) & (n > 0)
    lo[zero], hi[zero] = 0.0, edge[zero]
    lo[one], hi[one] = 1.0 - edge[one], 1.0
    return lo, hi


# ---------------------------------------------------------------- converters ----
def table_from_estimate(
    est: Estimate, *, variable: str | None = None, level: float = 0.95
) -> EstimateTable:
    """An :class:`Estimate` (a mean, or a factor's proportions) as a one-domain table."""
    dom = DomainEstimate(
        statistic=est.statistic,
        by=(),
        domains=((),),
        terms=est.terms,
        variables=est.variables,
        levels=est.levels,
        estimate=est.estimate[None, :],
        vcov=est.vcov,
        n=est.n[:1],
        cases=None if est.cases is None else est.cases[None, :],
        deff=None if est.deff is None else est.deff[None, :],
        degf=np.array([est.degf]),
    )
    return table_from_domains(dom, variable=variable, level=level)


def table_from_domains(
    est: DomainEstimate, *, variable: str | None = None, level: float = 0.95
) -> EstimateTable:
    """Means or proportions per domain (:func:`analysis.by`) as a table. A factor's
    levels become proportion rows with their case counts; numeric terms become means."""
    if est.statistic != "mean":
        raise AnalysisError(gettext_noop("Only means and proportions can be tabulated."))
    n_dom, m = est.estimate.shape
    is_prop = est.cases is not None
    se = est.se
    cols: dict[str, list[Any]] = {name: [] for name in (*_STR, *_INT, *_FLOAT, "exhaustive")}
    by_name = ".".join(est.by)
    for d in range(n_dom):
        for j in range(m):
            var = variable or est.variables[j]
            cols["item"].append(var)
            cols["variable"].append(var)
            cols["level"].append(est.levels[j] or "" if is_prop else "")
            cols["statistic"].append("proportion" if is_prop else "mean")
            cols["by"].append(by_name)
            cols["domain"].append(".".join(est.domains[d]))
            cols["n"].append(int(est.n[d]))
            cols["count"].append(int(est.cases[d, j]) if est.cases is not None else int(est.n[d]))
            cols["estimate"].append(float(est.estimate[d, j]))
            cols["se"].append(float(se[d, j]))
            cols["deff"].append(float(est.deff[d, j]) if est.deff is not None else np.nan)
            cols["df"].append(int(est.degf[d]))
            cols["exhaustive"].append(is_prop)
    arr = {k: np.asarray(v) for k, v in cols.items() if k not in ("ci_l", "ci_u")}
    est_a, se_a = arr["estimate"].astype(float), arr["se"].astype(float)
    if is_prop:
        est_a, se_a = exact_edges(est_a, se_a, arr["count"], arr["n"])
        arr["estimate"], arr["se"] = est_a, se_a
        lo, hi = prop_ci(est_a, se_a, arr["df"], arr["n"], level)
    else:
        lo, hi = mean_ci(est_a, se_a, arr["df"], level)
    arr["ci_l"], arr["ci_u"] = lo, hi
    return EstimateTable.from_columns(arr, level)
