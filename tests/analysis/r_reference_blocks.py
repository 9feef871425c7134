"""Blocks of the R reference files that are not ``<design prefix>_<standard call>``."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

import analysis as an

from .r_reference import (
    METHODS,
    POP_AGE,
    POP_SEX,
    PREFIXES,
    Values,
    _call,
    ciprop_values,
    col,
    data,
    design,
    factor,
    svyby,
    svystat,
    table_test,
)

SPECIAL: dict[str, Callable[[], Values]] = {}


def special(name: str) -> Callable[[Callable[[], Values]], Callable[[], Values]]:
    def deco(fn: Callable[[], Values]) -> Callable[[], Values]:
        SPECIAL[name] = fn
        return fn

    return deco


@cache
def compute(block: str) -> Values:
    """All values our code gives for ``block``, keyed by (stat, term)."""
    if block in SPECIAL:
        return SPECIAL[block]()
    for prefix in PREFIXES:
        if block.startswith(prefix + "_"):
            out = _call(design(prefix), block[len(prefix) + 1 :])
            if prefix.startswith("lonely_") and block.endswith("svymean_score"):
                out[("degf", "")] = float(design(prefix).degf())
            return out
    return _call(design(""), block)


# ------------------------------------------------------------------ results.csv ----
@special("design")
def _design() -> Values:
    des = design()
    return {
        ("n_rows", ""): float(des.n_rows),
        ("degf", ""): float(des.degf()),
        ("sum_weights", ""): des.sum_weights,
    }


def _deff_block(name: str, deff: bool | str, total: bool = False) -> Values:
    fn = an.total if total else an.mean
    return svystat(fn(design(), col(name), name=name, deff=deff))


@special("svymean_score")
def _svymean_score() -> Values:
    est = an.mean(design(), col("score"), name="score", deff=True)
    out = svystat(est)
    lo, hi = est.confint()
    out[("ci_l_normal", "score")], out[("ci_u_normal", "score")] = float(lo[0]), float(hi[0])
    lo, hi = est.confint(df=design().degf())
    out[("ci_l_t_degf", "score")], out[("ci_u_t_degf", "score")] = float(lo[0]), float(hi[0])
    return out


SPECIAL["svymean_score_deffreplace"] = lambda: _deff_block("score", "replace")
SPECIAL["svymean_y"] = lambda: _deff_block("y", True)
SPECIAL["svytotal_score"] = lambda: _deff_block("score", True, total=True)
SPECIAL["svymean_q5"] = lambda: svystat(an.mean(design(), {"q5": factor("q5")}, deff=True))
SPECIAL["svytotal_q5"] = lambda: svystat(an.total(design(), {"q5": factor("q5")}, deff=True))
SPECIAL["svymean_score_y"] = lambda: svystat(
    an.mean(design(), {"score": col("score"), "y": col("y")})
)
SPECIAL["svymean_score_na_narm"] = lambda: _call(design(), "svymean_score_na")


@special("svyby_y_region_ciprop_logit")
def _by_ciprop() -> Values:
    out: Values = {}
    des = design()
    region = factor("region")
    for r in an.ciprop_by(des, col("y"), region):
        name = r.domain[0]
        out.update(ciprop_values(r, name))
        out[("degf_domain", name)] = float(
            des.subset(region.codes == region.levels.index(name)).degf()
        )
    return out


@special("domain_north_s12")
def _north_degf() -> Values:
    return {("degf", ""): float(design("domain_north_s12").degf())}


@special("domain_north_s12_svyciprop_y")
def _north_ciprop() -> Values:
    return ciprop_values(an.ciprop(design("domain_north_s12"), col("y")), "logit")


def _ciprop_all(y: np.ndarray) -> Values:
    out: Values = {}
    for method in METHODS:
        out.update(ciprop_values(an.ciprop(design(), y, method=method), method))
    return out


SPECIAL["svyciprop_y"] = lambda: _ciprop_all(col("y"))
SPECIAL["svyciprop_q5_L1"] = lambda: _ciprop_all((data().q5 == "L1").to_numpy(dtype=np.float64))


def _chisq(des: an.Design, row: str, column: str) -> Values:
    out: Values = {}
    for st in ("F", "Chisq", "Wald", "adjWald"):
        t = an.svychisq(
            des, factor(row), factor(column) if column != "y" else _y_factor(), statistic=st
        )
        out.update(table_test(t))
        out[("pearson_X2_unadjusted", "")] = t.pearson_x2
    return out


def _y_factor() -> an.Factor:
    return an.Factor.from_values(data().y.astype(str).to_numpy(), levels=["0", "1"])


SPECIAL["svychisq_q5_region"] = lambda: _chisq(design(), "q5", "region")
SPECIAL["svychisq_q5_agegrp"] = lambda: _chisq(design(), "q5", "agegrp")
SPECIAL["svychisq_sex_y"] = lambda: _chisq(design(), "sex", "y")


def _glm(des: an.Design, y: str, columns: dict[str, object], family: str) -> Values:
    x, names = an.model_matrix(columns, des.n)
    fit = an.svyglm(des, x, col(y), family=family, terms=names)  # type: ignore[arg-type]
    lo, hi = fit.confint()
    out: Values = {("df_residual", ""): float(fit.df_residual), ("dispersion", ""): fit.dispersion}
    for i, t in enumerate(names):
        out[("estimate", t)] = float(fit.coef[i])
        out[("se", t)] = float(fit.se[i])
        out[("ci_l", t)], out[("ci_u", t)] = float(lo[i]), float(hi[i])
        out[("p_value", t)] = float(fit.p_values[i])
        for j, u in enumerate(names):
            out[("vcov", f"{t}|{u}")] = float(fit.vcov[i, j])
    return out


SPECIAL["svyglm_y"] = lambda: _glm(
    design(),
    "y",
    {"score": col("score"), "sex": factor("sex"), "region": factor("region")},
    "quasibinomial",
)
SPECIAL["svyglm_score_gaussian"] = lambda: _glm(
    design(), "score", {"sex": factor("sex"), "agegrp": factor("agegrp")}, "gaussian"
)


@special("rake_default")
def _rake_passes() -> Values:
    return {("passes_used", ""): float(design("rake_default").calibration[-1].passes)}  # type: ignore[attr-defined]


# ------------------------------------------------------------------ extra_results.csv ----
@special("svyratio_y_score")
def _ratio() -> Values:
    r = an.ratio(design(), col("y"), col("score"), name="y/score")
    return {("estimate", "y/score"): float(r.estimate[0]), ("se", "y/score"): float(r.se[0])}


SPECIAL["svyby_score_region_sex"] = lambda: svyby(
    an.by(design(), col("score"), [factor("region"), factor("sex")], deff=True), single=True
)
SPECIAL["svyby_score_region_total_deff"] = lambda: svyby(
    an.by(design(), col("score"), factor("region"), statistic="total", deff=True), single=True
)


@special("svyby_y_region_sex_ciprop")
def _by_ciprop_crossed() -> Values:
    out: Values = {}
    for r in an.ciprop_by(design(), col("y"), [factor("region"), factor("sex")]):
        out.update(ciprop_values(r, ".".join(r.domain)))
    return out


def _ttest(y: str) -> Values:
    t = an.compare_domains(design(), col(y), factor("region"), "South", "North")
    assert t.df is not None
    return {
        ("estimate", ""): t.estimate,
        ("statistic", ""): t.statistic,
        ("df", ""): t.df,
        ("p_value", ""): t.p_value,
        ("ci_l", ""): t.ci_l,
        ("ci_u", ""): t.ci_u,
    }


SPECIAL["svyttest_score_south_minus_north"] = lambda: _ttest("score")
SPECIAL["svyttest_y_south_minus_north"] = lambda: _ttest("y")


@special("svychisq_q5_sex_south")
def _chisq_south() -> Values:
    south = design().subset(data().region == "South")
    out = _chisq(south, "q5", "sex")
    out.pop(("pearson_X2_unadjusted", ""))
    return out


SPECIAL["svyglm_y_north"] = lambda: _glm(
    design().subset(data().region == "North"),
    "y",
    {"sex": factor("sex"), "score": col("score")},
    "quasibinomial",
)
SPECIAL["rake_tight_svyglm_y"] = lambda: _glm(
    design("rake_tight"), "y", {"score": col("score"), "sex": factor("sex")}, "quasibinomial"
)


def _weights_summary(key: str) -> Values:
    des = design(key)
    return {("sum_weights", ""): des.sum_weights, ("max_weight", ""): float(des.weights.max())}


SPECIAL["trim"] = lambda: _weights_summary("trim")
SPECIAL["trim_strict"] = lambda: _weights_summary("trim_strict")


@special("calib_bounded")
def _calib_bounded() -> Values:
    g = design("calib_bounded").weights / design().weights
    return {("max_g", ""): float(g.max()), ("min_g", ""): float(g.min())}


@special("rake_tight_north_svyciprop_y")
def _rake_north_ciprop() -> Values:
    out: Values = {}
    north = data().region == "North"
    for method in ("logit", "likelihood", "beta", "mean"):
        r = an.ciprop(design("rake_tight"), col("y"), method=method, where=north)
        out.update(ciprop_values(r, method))
    return out


@special("lonely_average_s12_svymean_score")
def _lonely_average_s12() -> Values:
    des = design("lonely_average").subset(data().stratum_lonely <= 2)
    return svystat(an.mean(des, col("score"), name="score"))


@special("p_adjust_bh")
def _bh() -> Values:
    p = [0.01, 0.04, 0.03, 0.2, 0.001, 0.5, 0.04]
    adj = an.benjamini_hochberg(p)
    return {("value", str(i + 1)): float(v) for i, v in enumerate(adj)}


__all__ = ["POP_AGE", "POP_SEX", "SPECIAL", "compute"]
