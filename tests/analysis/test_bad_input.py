"""Bad input gives one clear AnalysisError naming the variable, level or domain, and no
numpy warning or NaN escapes (every test runs with warnings as errors)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pytest

import analysis as an
from analysis import AnalysisError, DesignError, EmptyDomainError, LonelyPSUError


@pytest.fixture(autouse=True)
def strict_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture
def des() -> an.Design:
    rng = np.random.default_rng(8)
    psu = np.repeat(np.arange(12), 10)
    return an.Design.from_arrays(rng.uniform(1, 4, 120), strata=psu // 4, psu=psu)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([1.0, -1.0, 1.0], "must not be negative"),
        ([1.0, np.nan, 1.0], "must not be missing"),
    ],
)
def test_design_weights(weights, match) -> None:
    with pytest.raises(DesignError, match=match):
        an.Design.from_arrays(weights)


def test_zero_weights_are_refused_for_a_wave() -> None:
    with pytest.raises(
        DesignError, match="weight is zero or negative in 2 rows \\(first: row 0\\)"
    ):
        an.check_weights([0.0, 0.0, 1.0])


def test_all_missing_variable_is_named(des: an.Design) -> None:
    with pytest.raises(EmptyDomainError, match="no respondents with a valid answer to income"):
        an.mean(des, np.full(des.n, np.nan), name="income")
    group = an.Factor(np.arange(des.n) % 2, ("a", "b"))
    with pytest.raises(EmptyDomainError, match=r"Domain a has no .* valid answer to income"):
        an.by(des, np.full(des.n, np.nan), group, name="income")


def test_empty_domain_is_named(des: an.Design) -> None:
    group = an.Factor(np.arange(des.n) % 3, ("a", "b", "c"))
    y = np.where(group.codes == 2, np.nan, 1.0)
    with pytest.raises(EmptyDomainError, match=r"Domain c has no respondents .* to score"):
        an.by(des, y, group, name="score")
    with pytest.raises(EmptyDomainError, match="whole sample"):
        an.mean(des, np.ones(des.n), where=np.zeros(des.n, dtype=bool))


def test_lonely_psu_under_fail_names_the_stratum() -> None:
    psu = np.repeat(np.arange(5), 4)
    strata = np.array(["x", "x", "y", "y", "z"])[psu]
    des = an.Design.from_arrays(np.ones(20), strata=strata, psu=psu)
    with pytest.raises(LonelyPSUError, match="Stratum z has only one PSU"):
        an.mean(des, np.arange(20.0))
    est = an.mean(
        an.Design.from_arrays(np.ones(20), strata=strata, psu=psu, lonely_psu="adjust"),
        np.arange(20.0),
    )
    assert np.isfinite(est.se).all()


def test_singular_model_names_the_term(des: an.Design) -> None:
    rng = np.random.default_rng(1)
    age = rng.normal(40, 8, des.n)
    x, names = an.model_matrix({"age": age, "age_again": 2 * age}, des.n)
    y = (rng.uniform(size=des.n) < 0.4).astype(float)
    with pytest.raises(AnalysisError, match="rank deficient: age_again is a combination"):
        an.svyglm(des, x, y, family="quasibinomial", terms=names)
    const, cnames = an.model_matrix({"one": np.ones(des.n)}, des.n)
    with pytest.raises(AnalysisError, match="one is a combination"):
        an.svyglm(des, const, y, terms=cnames)


def test_core_raking_names_unknown_levels(des: an.Design) -> None:
    sex = an.Factor(np.arange(des.n) % 2, ("F", "M"))
    with pytest.raises(AnalysisError, match="unknown categories: X"):
        an.rake(des, [(sex, {"F": 10.0, "M": 10.0, "X": 1.0})])


def test_zero_count_levels_give_finite_results(des: an.Design) -> None:
    q = an.Factor(np.zeros(des.n, dtype=np.int64), ("yes", "no"))
    est = an.proportions(des, q, name="q")
    np.testing.assert_allclose(est.estimate, [1.0, 0.0])
    table = an.suppress(an.table_from_estimate(est, variable="q"))
    assert table.flag.tolist() == [0, 0]
    assert table.estimate.tolist() == [1.0, 0.0] and table.se.tolist() == [0.0, 0.0]
    assert np.isfinite(table.ci_l).all() and table.ci_u[1] > 0 and table.ci_l[0] < 1


def test_wave_margins_that_do_not_match_the_data_name_the_level() -> None:
    station = np.repeat(["S1", "S2", "S3"], 20)
    sex = np.tile(["M", "F"], 30)
    frame = {"S1": 100.0, "S2": 200.0, "S3": 300.0}
    with pytest.raises(AnalysisError, match="sex = X has a population total but no respondents"):
        an.weights_for_wave(station, frame, {"sex": {"M": 300, "F": 250, "X": 50}}, {"sex": sex})
    with pytest.raises(AnalysisError, match="sex = F occurs in the data but has no population"):
        an.weights_for_wave(station, frame, {"sex": {"M": 600}}, {"sex": sex})
    with pytest.raises(AnalysisError, match="frame size of station S2 must be a positive"):
        an.weights_for_wave(station, {**frame, "S2": 0.0}, {}, {})


def test_an_all_missing_proportion_or_outcome_is_refused(des: an.Design) -> None:
    nothing = np.full(des.n, np.nan)
    with pytest.raises(EmptyDomainError, match="whole sample"):
        an.ciprop(des, nothing)
    group = an.Factor(np.arange(des.n) % 2, ("a", "b"))
    with pytest.raises(EmptyDomainError, match="Domain a has no respondents"):
        an.ciprop_by(des, nothing, group)
    x, names = an.model_matrix({"age": np.arange(des.n, dtype=float)}, des.n)
    with pytest.raises(AnalysisError, match="No respondents with positive weight"):
        an.svyglm(des, x, nothing, family="quasibinomial", terms=names)


def test_a_separated_logistic_model_stops_with_a_clear_error(des: an.Design) -> None:
    age = np.linspace(20, 60, des.n)
    x, names = an.model_matrix({"age": age}, des.n)
    with pytest.raises(an.ConvergenceError, match="did not converge in 25 iterations"):
        an.svyglm(des, x, (age > 40).astype(float), family="quasibinomial", terms=names)


def test_no_nan_reaches_published_records(des: an.Design) -> None:
    q = an.Factor(np.where(np.arange(des.n) < 3, 0, 1), ("rare", "common"))
    table = an.suppress(an.table_from_estimate(an.proportions(des, q, name="q"), variable="q"))
    records = table.to_records()
    assert records[0]["suppressed"] and records[0]["estimate"] is None
    assert all(v is None or v == v for rec in records for v in rec.values())
