"""Python computations of every block in the R reference files (tests/fixtures/r_survey).

``compute(block)`` returns ``{(stat, term): value}`` for one block, named exactly as
make_reference.R / make_extra.R name them. Designs are built once per session.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

import analysis as an
from analysis import Design, Factor

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "r_survey"
Values = dict[tuple[str, str], float]

POP_SEX = {"F": 243000, "M": 232000}
POP_AGE = {"18-34": 152000, "35-54": 190000, "55+": 133000}
POP_CALIB = [475000, 232000, 190000, 133000]
METHODS = ("logit", "likelihood", "asin", "beta", "mean", "xlogit")


def read_reference(name: str) -> list[tuple[str, str, str, str]]:
    with (FIXTURES / name).open(newline="") as fh:
        return [(r["block"], r["stat"], r["term"], r["value"]) for r in csv.DictReader(fh)]


@cache
def data() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "data.csv")


def col(name: str) -> np.ndarray:
    return data()[name].to_numpy(dtype=np.float64)


@cache
def factor(name: str) -> Factor:
    levels = {
        "sex": ["F", "M"],
        "agegrp": ["18-34", "35-54", "55+"],
        "region": ["North", "Central", "South"],
        "q5": ["L1", "L2", "L3", "L4", "L5"],
    }[name]
    return Factor.from_values(data()[name].astype(str).to_numpy(), levels=levels)


@cache
def design(key: str = "") -> Design:
    d = data()
    base = Design.from_arrays(d.weight, strata=d.stratum, psu=d.psu)
    if key == "":
        return base
    if key == "fpc":
        return Design.from_arrays(d.weight, strata=d.stratum, psu=d.psu, fpc=d.fpc_psu)
    if key == "fpcfrac":
        return Design.from_arrays(d.weight, strata=d.stratum, psu=d.psu, fpc=10 / d.fpc_psu)
    if key.startswith("lonely_"):
        return Design.from_arrays(
            d.weight, strata=d.stratum_lonely, psu=d.psu, lonely_psu=key.split("_")[1]
        )
    if key == "poststrat":
        return an.poststratify(base, factor("agegrp"), POP_AGE)
    margins = [(factor("sex"), POP_SEX), (factor("agegrp"), POP_AGE)]
    if key == "rake_default":
        return an.rake(base, margins)
    if key == "rake_tight":
        return an.rake(base, margins, maxit=100, epsilon=1e-12)
    x, _ = an.model_matrix({"sex": factor("sex"), "agegrp": factor("agegrp")}, len(d))
    if key == "calib_linear":
        return an.calibrate(base, x, POP_CALIB)
    if key == "calib_raking":
        return an.calibrate(base, x, POP_CALIB, calfun="raking")
    if key == "calib_bounded":
        return an.calibrate(base, x, POP_CALIB, bounds=(0.9, 1.1))
    if key == "domain_north_s12":
        return base.subset((d.region == "North") & (d.stratum <= 2))
    if key == "trim":
        return an.trim_weights(base, upper=400, lower=30)
    if key == "trim_strict":
        return an.trim_weights(base, upper=400, lower=30, strict=True)
    raise KeyError(key)


# ------------------------------------------------------------------ emitters ----
def svystat(est: an.Estimate) -> Values:
    out: Values = {}
    for i, t in enumerate(est.terms):
        out[("estimate", t)] = float(est.estimate[i])
        out[("se", t)] = float(est.se[i])
        if est.deff is not None:
            out[("deff", t)] = float(est.deff[i])
        for j, u in enumerate(est.terms):
            out[("vcov", f"{t}|{u}")] = float(est.vcov[i, j])
    return out


def svyby(res: an.DomainEstimate, single: bool) -> Values:
    out: Values = {}
    lo, hi = res.confint()
    for d, name in enumerate(res.domain_names):
        for j, t in enumerate(res.terms):
            key = name if single else f"{name}:{t}"
            out[("estimate", key)] = float(res.estimate[d, j])
            out[("se", key)] = float(res.se[d, j])
            out[("ci_l_normal", key)] = float(lo[d, j])
            out[("ci_u_normal", key)] = float(hi[d, j])
            if res.deff is not None:
                out[("deff", key)] = float(res.deff[d, j])
    return out


def ciprop_values(r: an.PropCI, term: str) -> Values:
    return {
        ("estimate", term): r.estimate,
        ("se", term): r.se,
        ("ci_l", term): r.ci_l,
        ("ci_u", term): r.ci_u,
    }


def table_test(t: an.TableTest) -> Values:
    out: Values = {
        ("statistic", t.statistic_name): t.statistic,
        ("p_value", t.statistic_name): t.p_value,
    }
    if t.ddf is None:
        out[("param_df", t.statistic_name)] = t.ndf
    else:
        out[("param_ndf", t.statistic_name)] = t.ndf
        out[("param_ddf", t.statistic_name)] = t.ddf
    return out


# ------------------------------------------------------------------ calls ----
def _call(des: Design, call: str) -> Values:
    """The standard calls that follow a design prefix in block names."""
    region = factor("region")
    if call == "svymean_score":
        return svystat(an.mean(des, col("score"), name="score"))
    if call == "svymean_q5":
        return svystat(an.mean(des, {"q5": factor("q5")}))
    if call == "svytotal_score":
        return svystat(an.total(des, col("score"), name="score"))
    if call == "svymean_y":
        return svystat(an.mean(des, col("y"), name="y"))
    if call == "svymean_score_na":
        return svystat(an.mean(des, col("score_na"), name="score_na"))
    if call == "svyby_score_region":
        return svyby(an.by(des, col("score"), region), single=True)
    if call == "svyby_q5_region":
        return svyby(an.by(des, {"q5": factor("q5")}, region), single=False)
    if call == "svyby_score_region_total":
        return svyby(an.by(des, col("score"), region, statistic="total"), single=True)
    raise KeyError(call)


PREFIXES = (
    "fpcfrac", "fpc", "lonely_remove", "lonely_certainty", "lonely_adjust", "lonely_average",
    "poststrat", "rake_default", "rake_tight", "calib_linear", "calib_raking", "calib_bounded",
    "domain_north_s12", "trim",
)  # fmt: skip
