"""Weighting, regression, table tests and helpers on small plain arrays."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis as an
from analysis import AnalysisError, ConvergenceError, Design, Factor
from analysis._spline import approx, spline
from instruments.messages import Message


@pytest.fixture
def sample() -> tuple[Design, Factor, Factor, np.ndarray]:
    rng = np.random.default_rng(11)
    n = 300
    psu = rng.integers(0, 12, n)
    des = Design.from_arrays(rng.uniform(1, 9, n), strata=psu // 4, psu=psu)
    sex = Factor(rng.integers(0, 2, n), ("F", "M"))
    age = Factor(rng.integers(0, 3, n), ("young", "mid", "old"))
    return des, sex, age, rng.normal(50, 10, n)


def _totals(des: Design, fac: Factor) -> np.ndarray:
    return np.bincount(fac.codes, weights=des.weights, minlength=fac.n_levels)


def test_poststratify_hits_population(sample: tuple) -> None:
    des, _, age, _y = sample
    ps = an.poststratify(des, age, {"young": 100.0, "mid": 300.0, "old": 600.0})
    np.testing.assert_allclose(_totals(ps, age), [100, 300, 600], rtol=1e-12)
    assert ps.calibrated and not des.calibrated
    # a variable constant within post-strata has (numerically) no sampling variance
    const = np.array([1.0, 2.0, 3.0])[age.codes]
    assert an.total(ps, const).se[0] < 1e-8 * an.total(des, const).se[0]


def test_poststratify_refusals(sample: tuple) -> None:
    des, _, age, _ = sample
    with pytest.raises(AnalysisError, match="unknown categories"):
        an.poststratify(des, age, {"young": 1.0, "elderly": 2.0})
    with pytest.raises(AnalysisError, match="no population total"):
        an.poststratify(des, age, {"young": 1.0, "mid": 2.0})
    with pytest.raises(AnalysisError, match="one per category"):
        an.poststratify(des, age, [1.0, 2.0])


def test_rake_matches_both_margins_and_reports_passes(sample: tuple) -> None:
    des, sex, age, _ = sample
    margins = [(sex, [480.0, 520.0]), (age, {"young": 250.0, "mid": 450.0, "old": 300.0})]
    raked = an.rake(des, margins, maxit=100, epsilon=1e-12)
    np.testing.assert_allclose(_totals(raked, sex), [480, 520], rtol=1e-10)
    np.testing.assert_allclose(_totals(raked, age), [250, 450, 300], rtol=1e-10)
    step = raked.calibration[-1]
    assert step.converged and step.passes > 1  # type: ignore[attr-defined]
    with pytest.raises(ConvergenceError, match="did not converge"):
        an.rake(des, margins, maxit=1, epsilon=1e-12, strict=True)


def test_calibrate_linear_and_raking_hit_totals(sample: tuple) -> None:
    des, sex, age, _ = sample
    x, names = an.model_matrix({"sex": sex, "age": age}, des.n)
    assert names == ("(Intercept)", "sexM", "agemid", "ageold")
    pop = np.array([1000.0, 520.0, 450.0, 300.0])
    for calfun in ("linear", "raking"):
        cal = an.calibrate(des, x, pop, calfun=calfun)
        np.testing.assert_allclose(x.T @ cal.weights, pop, rtol=1e-7)
    with pytest.raises(ConvergenceError):
        an.calibrate(des, x, pop, bounds=(0.999, 1.001))


def test_trim_weights_bounds_and_total(sample: tuple) -> None:
    des, _, _, _ = sample
    for mode in ("equal", "proportional"):
        trimmed = an.trim_weights(des, lower=2.0, upper=7.0, redistribute=mode, strict=True)  # type: ignore[arg-type]
        assert trimmed.weights.min() >= 2.0 - 1e-12 and trimmed.weights.max() <= 7.0 + 1e-12
        np.testing.assert_allclose(trimmed.sum_weights, des.sum_weights, rtol=1e-12)
    shrunk = an.trim_weights(des, upper=5.0, redistribute="none")
    assert shrunk.sum_weights < des.sum_weights and shrunk.weights.max() == 5.0
    with pytest.raises(AnalysisError):
        an.trim_weights(des, lower=3.0, upper=2.0)


def test_kish_deff_and_base_weights() -> None:
    assert an.kish_deff(np.full(10, 4.0)) == pytest.approx(1.0)
    assert an.kish_deff([1.0, 3.0]) == pytest.approx(2 * 10 / 16)
    w = an.base_weights(["s1", "s1", "s2"], {"s1": 100.0, "s2": 30.0})
    np.testing.assert_allclose(w, [50.0, 50.0, 30.0])
    with pytest.raises(AnalysisError, match="No frame size"):
        an.base_weights(["s1", "s3"], {"s1": 100.0})


def test_gaussian_svyglm_is_weighted_least_squares(sample: tuple) -> None:
    des, sex, _, y = sample
    x, names = an.model_matrix({"sex": sex}, des.n)
    fit = an.svyglm(des, x, y, terms=names)
    w = des.weights
    beta = np.linalg.solve(x.T @ (x * w[:, None]), x.T @ (w * y))
    np.testing.assert_allclose(fit.coef, beta, rtol=1e-10)
    assert fit.df_residual == des.degf() + 1 - 2
    # the slope is the difference of the two domain means, with the same variance
    diff = an.compare_domains(des, y, sex, "M", "F")
    np.testing.assert_allclose(fit.coef[1], diff.estimate, rtol=1e-9)
    np.testing.assert_allclose(fit.se[1], diff.se, rtol=1e-8)


def test_logistic_odds_ratios_and_refusals(sample: tuple) -> None:
    des, sex, _, y = sample
    rng = np.random.default_rng(5)
    yy = (rng.uniform(size=des.n) < 1 / (1 + np.exp(-(y - 50) / 10))).astype(float)
    x, names = an.model_matrix({"sex": sex, "score": y}, des.n)
    fit = an.svyglm(des, x, yy, family="quasibinomial", terms=names)
    odds, lo, hi = fit.odds_ratios()
    np.testing.assert_allclose(odds, np.exp(fit.coef))
    assert np.all(lo < odds) and np.all(odds < hi)
    with pytest.raises(AnalysisError, match="rank deficient"):
        an.svyglm(des, np.column_stack([x, x[:, 1]]), yy, family="quasibinomial")
    with pytest.raises(AnalysisError, match="between 0 and 1"):
        an.svyglm(des, x, y, family="quasibinomial")


def test_ciprop_methods_agree_roughly_and_refuse_bad_input(sample: tuple) -> None:
    des, _, _, y = sample
    yy = (y > 55).astype(float)
    results = [
        an.ciprop(des, yy, method=m)
        for m in ("logit", "likelihood", "asin", "beta", "mean", "xlogit")
    ]
    for r in results:
        assert r.ci_l < r.estimate < r.ci_u
        assert abs(r.estimate - results[0].estimate) < 1e-9
    with pytest.raises(AnalysisError, match="Unknown interval method"):
        an.ciprop(des, yy, method="wilson")  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="between 0 and 1"):
        an.ciprop(des, y)


def test_svychisq_refuses_single_column_and_is_scale_free(sample: tuple) -> None:
    des, sex, age, _ = sample
    with pytest.raises(AnalysisError, match="two rows and two columns"):
        an.svychisq(des, sex, Factor(np.zeros(des.n, dtype=np.int64), ("only",)))
    scaled = Design.from_arrays(des.weights * 7.5, strata=des.stratum, psu=des.psu)
    for stat in ("F", "Chisq", "Wald", "adjWald"):
        a = an.svychisq(des, sex, age, statistic=stat)  # type: ignore[arg-type]
        b = an.svychisq(scaled, sex, age, statistic=stat)  # type: ignore[arg-type]
        np.testing.assert_allclose(a.statistic, b.statistic, rtol=1e-9)
        assert 0.0 <= a.p_value <= 1.0


def test_compare_independent_waves() -> None:
    d = an.compare_independent(0.50, 0.02, 0.45, 0.015)
    assert d.estimate == pytest.approx(0.05)
    assert d.se == pytest.approx(0.025)
    assert d.p_value == pytest.approx(0.0455, abs=1e-4)
    assert d.ci_l < 0.05 < d.ci_u


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30))
def test_benjamini_hochberg_properties(p: list[float]) -> None:
    adj = an.benjamini_hochberg(p)
    arr = np.asarray(p)
    assert np.all(adj >= arr - 1e-15) and np.all(adj <= 1.0)
    order = np.argsort(arr, kind="stable")
    assert np.all(np.diff(adj[order]) >= -1e-15)
    assert adj[order][-1] == pytest.approx(arr.max())


def test_fmm_spline_reproduces_a_cubic() -> None:
    x = np.array([0.0, 0.5, 1.5, 2.0, 3.5, 4.0])
    cubic = lambda t: 1 - 2 * t + 0.5 * t**2 - 0.3 * t**3  # noqa: E731
    u, v = spline(x, cubic(x))
    np.testing.assert_allclose(v, cubic(u), atol=1e-12)
    assert np.isnan(approx(v, u, np.array([cubic(5.0)]))[0])


def test_errors_carry_translatable_messages() -> None:
    with pytest.raises(AnalysisError) as info:
        an.mean(Design.from_arrays(np.ones(3)), [1.0, 2.0])
    msg = info.value.message
    assert isinstance(msg, Message)
    assert "{name}" in msg.msgid and msg.params["name"] == "y"
    assert msg.render(lambda s: "错误：" + s) == "错误：" + str(info.value)


def test_raking_residuals_equal_rs_row_level_sweeps(sample: tuple) -> None:
    des, sex, age, y = sample
    raked = an.rake(des, [(sex, [480.0, 520.0]), (age, [250.0, 450.0, 300.0])])
    step = raked.calibration[-1]
    x = np.column_stack([y * raked.weights, raked.weights])
    rows = np.arange(des.n) % 7 != 0
    for sel in (None, rows):
        got = step.residualize(x, sel)  # type: ignore[attr-defined]
        keep = np.ones(des.n, dtype=bool) if sel is None else sel
        naive = x[keep].copy()
        for _ in range(10):  # R's svyrecvar: x <- x - psw * apply(x / psw, 2, ave, margin)
            for g, k, psw in step.margins:  # type: ignore[attr-defined]
                gg, pw = g[keep], psw[keep]
                cnt = np.bincount(gg, minlength=k)
                for j in range(x.shape[1]):
                    means = np.bincount(gg, weights=naive[:, j] / pw, minlength=k) / cnt
                    naive[:, j] -= pw * means[gg]
        np.testing.assert_allclose(got[keep], naive, rtol=1e-9, atol=1e-9 * np.abs(x).max())
        assert np.all(got[~keep] == 0)
