"""Plain-array properties of the estimators (hypothesis) and their refusal paths."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import analysis as an
from analysis import AnalysisError, Design, EmptyDomainError, Factor

N = 40


@st.composite
def samples(draw: st.DrawFn) -> tuple[Design, np.ndarray, Factor, Factor]:
    """A stratified cluster sample: 2 strata x 3 PSUs, random weights and variables."""
    w = draw(arrays(np.float64, N, elements=st.floats(0.5, 50.0)))
    y = draw(arrays(np.float64, N, elements=st.floats(-100.0, 100.0)))
    codes = draw(arrays(np.int64, N, elements=st.integers(0, 3)))
    dom = draw(arrays(np.int64, N, elements=st.integers(0, 1)))
    codes[:4] = [0, 1, 2, 3]  # every level observed
    dom[:2] = [0, 1]
    psu = np.arange(N) % 6
    strata = psu // 3
    des = Design.from_arrays(w, strata=strata, psu=psu)
    return des, y, Factor(codes, ("a", "b", "c", "d")), Factor(dom, ("x", "y"))


SETTINGS = settings(max_examples=40, deadline=None)


@SETTINGS
@given(samples(), st.floats(0.01, 1000.0))
def test_scaling_weights_leaves_means_and_ses_unchanged(s: tuple, c: float) -> None:
    des, y, fac, _ = s
    scaled = Design.from_arrays(des.weights * c, strata=des.stratum, psu=des.psu)
    for values in (y, {"f": fac}):
        a, b = an.mean(des, values), an.mean(scaled, values)
        np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(a.se, b.se, rtol=1e-7, atol=1e-12)
    ta, tb = an.total(des, y), an.total(scaled, y)
    np.testing.assert_allclose(tb.estimate, c * ta.estimate, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(tb.se, c * ta.se, rtol=1e-7, atol=1e-9)


@SETTINGS
@given(samples())
def test_proportions_sum_to_one_and_covariance_is_psd(s: tuple) -> None:
    des, _, fac, _ = s
    est = an.proportions(des, fac, name="f")
    assert est.terms == ("fa", "fb", "fc", "fd") and est.levels == ("a", "b", "c", "d")
    np.testing.assert_allclose(est.estimate.sum(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(est.vcov.sum(axis=1), 0.0, atol=1e-12)
    assert np.linalg.eigvalsh(est.vcov).min() >= -1e-12
    assert est.cases is not None and est.cases.sum() == est.n[0] == N


@SETTINGS
@given(samples())
def test_domains_equal_subsets_and_joint_covariance_is_psd(s: tuple) -> None:
    des, y, _fac, dom = s
    res = an.by(des, {"y": y, "z": y**2}, [dom, Factor(np.zeros(N, dtype=np.int64), ("all",))])
    assert res.domain_names == ("x.all", "y.all")
    for d, label in enumerate(("x", "y")):
        one = an.mean(des.subset(dom.codes == d), {"y": y, "z": y**2})
        np.testing.assert_allclose(res.estimate[d], one.estimate, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(res.domain(f"{label}.all").vcov, one.vcov, rtol=1e-8, atol=1e-12)
    assert np.linalg.eigvalsh(res.vcov).min() >= -1e-9 * max(1.0, np.abs(res.vcov).max())
    where = an.mean(des, y, where=dom.codes == 1)
    np.testing.assert_allclose(where.estimate, res.estimate[1, :1], rtol=1e-12)


@SETTINGS
@given(samples())
def test_ratio_of_y_over_one_is_the_mean(s: tuple) -> None:
    des, y, _, _ = s
    r = an.ratio(des, y, np.ones(N))
    m = an.mean(des, y)
    np.testing.assert_allclose(r.estimate, m.estimate, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(r.se, m.se, rtol=1e-8, atol=1e-12)


def test_confint_normal_and_t() -> None:
    des = Design.from_arrays(np.ones(10))
    est = an.mean(des, np.arange(10.0))
    lo, hi = est.confint()
    np.testing.assert_allclose(hi - est.estimate, 1.959963984540054 * est.se, rtol=1e-12)
    lo_t, hi_t = est.confint(df=9)
    assert lo_t[0] < lo[0] and hi_t[0] > hi[0]
    with pytest.raises(AnalysisError):
        est.confint(level=1.5)


def test_missing_values_dropped_or_refused() -> None:
    des = Design.from_arrays(np.ones(5))
    y = np.array([1.0, np.nan, 3.0, 5.0, np.nan])
    est = an.mean(des, y)
    assert est.estimate[0] == 3.0 and est.n[0] == 3
    with pytest.raises(AnalysisError, match="missing values"):
        an.mean(des, y, na_rm=False)
    fac = Factor.from_values(["a", None, "b", "", "a"])
    assert fac.levels == ("a", "b") and list(fac.codes) == [0, -1, 1, -1, 0]
    np.testing.assert_allclose(an.proportions(des, fac).estimate, [2 / 3, 1 / 3])


def test_empty_domain_refused() -> None:
    des = Design.from_arrays(np.ones(4))
    with pytest.raises(EmptyDomainError, match="no respondents"):
        an.mean(des, [1.0, 2.0, 3.0, 4.0], where=[False] * 4)
    with pytest.raises(EmptyDomainError):
        an.mean(des, [np.nan] * 4)


def test_mismatched_variable_length_refused() -> None:
    des = Design.from_arrays(np.ones(4))
    with pytest.raises(AnalysisError, match="3 values but the design has 4 rows"):
        an.mean(des, [1.0, 2.0, 3.0])
    with pytest.raises(AnalysisError):
        an.by(des, [1.0, 2.0, 3.0, 4.0], ["a", "b", "a"])


def test_deff_of_srs_mean_is_about_one() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(size=400)
    des = Design.from_arrays(np.full(400, 1e6))
    est = an.mean(des, y, deff=True)
    assert est.deff is not None and abs(est.deff[0] - 1.0) < 1e-3
    rep = an.mean(des, y, deff="replace")
    assert rep.deff is not None and abs(rep.deff[0] - 1.0) < 1e-9


def test_domain_lookup_errors() -> None:
    des = Design.from_arrays(np.ones(4))
    res = an.by(des, [1.0, 2.0, 3.0, 4.0], ["a", "b", "a", "b"])
    assert res.get("a")[0] == 2.0
    with pytest.raises(AnalysisError, match="Unknown domain"):
        res.get("c")
    est, se = res.contrast([1.0, -1.0])
    assert est == -1.0 and se > 0
