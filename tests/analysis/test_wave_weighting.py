"""Weights of a wave: base weights, raking to margins, trimming, diagnostics."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import analysis as an
from analysis import AnalysisError, DesignError


@pytest.fixture
def wave() -> dict:
    rng = np.random.default_rng(4)
    n = 3000
    station = rng.choice([f"S{i}" for i in range(15)], size=n)
    frame = {f"S{i}": 200.0 + 80.0 * i for i in range(15)}
    sex = rng.choice(["M", "F"], size=n, p=[0.65, 0.35])
    title = rng.choice(["senior", "associate", "intermediate", "junior"], size=n)
    sector = np.array(["univ", "hosp", "firm"])[np.array([int(s[1:]) % 3 for s in station])]
    total = 40_000.0
    margins = {
        "sex": {"M": 0.52 * total, "F": 0.48 * total},
        "title": {
            "senior": 0.1 * total,
            "associate": 0.25 * total,
            "intermediate": 0.4 * total,
            "junior": 0.25 * total,
        },
        "sector": {"univ": 0.3 * total, "hosp": 0.3 * total, "firm": 0.4 * total},
    }
    domains = {"sex": sex, "title": title, "sector": sector}
    return {"station": station, "frame": frame, "margins": margins, "domains": domains}


def test_weight_diagnostics() -> None:
    w = np.array([1.0, 2.0, 3.0, 6.0])
    d = an.weight_diagnostics(w)
    assert (d.n, d.sum, d.min, d.max, d.mean) == (4, 12.0, 1.0, 6.0, 3.0)
    assert d.cv == pytest.approx(np.std(w) / 3.0)
    assert d.kish_deff == pytest.approx(an.kish_deff(w)) == pytest.approx(1 + d.cv**2)
    assert set(d.as_dict()) == {"n", "sum", "min", "max", "mean", "cv", "kish_deff"}
    n, total, low, high, mean, cv, kish = d
    assert (n, total, low, high, mean, cv, kish) == tuple(d.as_dict().values())
    with pytest.raises(DesignError, match="weight is zero or negative in 1 rows"):
        an.weight_diagnostics([1.0, 0.0])
    with pytest.raises(DesignError, match="weight is missing or infinite in 1 rows"):
        an.weight_diagnostics([1.0, np.nan])
    with pytest.raises(DesignError, match="non-empty"):
        an.weight_diagnostics([])


def test_base_weights_then_raking_hits_every_margin(wave: dict) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = an.weights_for_wave(wave["station"], wave["frame"], wave["margins"], wave["domains"])
    st = np.asarray(wave["station"])
    s0 = st == "S0"
    np.testing.assert_allclose(res.base[s0], 200.0 / s0.sum())
    assert res.converged and res.cycles == 1 and res.trimmed == 0
    assert res.margin_error < 1e-8
    for var, totals in wave["margins"].items():
        got = {lv: res.weights[wave["domains"][var] == lv].sum() for lv in totals}
        for lv, want in totals.items():
            assert got[lv] == pytest.approx(want, rel=1e-8)
    assert res.diagnostics.sum == pytest.approx(40_000.0)
    assert res.base_diagnostics.sum == pytest.approx(sum(wave["frame"].values()))


def test_trimming_keeps_weights_within_bounds_and_margins_close(wave: dict) -> None:
    untrimmed = an.weights_for_wave(
        wave["station"], wave["frame"], wave["margins"], wave["domains"]
    )
    mean = untrimmed.weights.mean()
    ratio = untrimmed.weights.max() / mean
    upper = 0.8 * ratio
    res = an.weights_for_wave(
        wave["station"], wave["frame"], wave["margins"], wave["domains"], trim=(0.3, upper)
    )
    assert res.weights.max() <= upper * mean * (1 + 1e-6)
    assert res.weights.min() >= 0.3 * mean * (1 - 1e-6)
    assert res.diagnostics.kish_deff < untrimmed.diagnostics.kish_deff
    assert res.converged and res.margin_error < 1e-6
    with pytest.raises(AnalysisError, match="multiples of the mean weight"):
        an.weights_for_wave(wave["station"], wave["frame"], {}, {}, trim=(2.0, 3.0))


def test_margins_that_do_not_match_the_data_are_refused(wave: dict) -> None:
    args = (wave["station"], wave["frame"])
    bad = {**wave["margins"], "sex": {"M": 20_000.0, "F": 19_000.0, "X": 1_000.0}}
    with pytest.raises(AnalysisError, match="sex = X has a population total but no respondents"):
        an.weights_for_wave(*args, bad, wave["domains"])
    bad = {**wave["margins"], "title": {"senior": 20_000.0, "associate": 20_000.0}}
    with pytest.raises(AnalysisError, match="title = intermediate occurs in the data but has no"):
        an.weights_for_wave(*args, bad, wave["domains"])
    with pytest.raises(AnalysisError, match="margin for age_group but no such respondent"):
        an.weights_for_wave(*args, {"age_group": {"lt35": 1.0}}, wave["domains"])
    bad = {**wave["margins"], "sex": {"M": 30_000.0, "F": 30_000.0}}
    with pytest.raises(AnalysisError, match="disagree on the population size"):
        an.weights_for_wave(*args, bad, wave["domains"])
    bad = {**wave["margins"], "sex": {"M": -1.0, "F": 40_001.0}}
    with pytest.raises(AnalysisError, match="population total of sex = M is not valid"):
        an.weights_for_wave(*args, bad, wave["domains"])
    holes = dict(wave["domains"])
    sex = holes["sex"].astype(object)
    sex[:3] = None
    holes["sex"] = sex
    with pytest.raises(AnalysisError, match="sex is missing for 3 respondents"):
        an.weights_for_wave(*args, wave["margins"], holes)


def test_frame_sizes_are_checked(wave: dict) -> None:
    frame = dict(wave["frame"])
    del frame["S3"]
    with pytest.raises(AnalysisError, match="No frame size for station S3"):
        an.weights_for_wave(wave["station"], frame, {}, {})
    frame["S3"] = 0.0
    with pytest.raises(AnalysisError, match="frame size of station S3 must be a positive"):
        an.weights_for_wave(wave["station"], frame, {}, {})
