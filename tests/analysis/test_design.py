"""Design construction, refusal paths and the variance kernel on small plain arrays."""

from __future__ import annotations

import numpy as np
import pytest

import analysis as an
from analysis import Design, DesignError, LonelyPSUError
from instruments.messages import Message


def small_design(**kw: object) -> Design:
    w = np.array([1.0, 2.0, 1.5, 3.0, 2.5, 1.0, 2.0, 1.0])
    strata = np.array([1, 1, 1, 1, 2, 2, 2, 2])
    psu = np.array([1, 1, 2, 2, 3, 3, 4, 5])
    return Design.from_arrays(w, strata=strata, psu=psu, **kw)  # type: ignore[arg-type]


def test_codes_and_counts() -> None:
    des = small_design()
    assert des.n == 8 and des.n_psus == 5 and des.n_strata == 2
    assert list(des.n_psu) == [2, 3]
    assert des.degf() == 3
    assert des.n_rows == 8


def test_mismatched_lengths_refused_with_message() -> None:
    with pytest.raises(DesignError) as info:
        Design.from_arrays([1.0, 2.0, 3.0], strata=[1, 2], psu=[1, 2, 3])
    msg = info.value.message
    assert isinstance(msg, Message)
    assert msg.params == {"name": "strata", "got": 2, "expected": 3}
    assert "2 values but the design has 3 rows" in str(info.value)


@pytest.mark.parametrize("bad", [[1.0, -1.0, 2.0], [1.0, np.nan, 2.0], [1.0, np.inf, 1.0]])
def test_bad_weights_refused(bad: list[float]) -> None:
    with pytest.raises(DesignError):
        Design.from_arrays(bad)


def test_negative_weights_message_counts_them() -> None:
    with pytest.raises(DesignError) as info:
        Design.from_arrays([1.0, -1.0, -2.0])
    assert info.value.message.params == {"count": 2}


def test_psu_in_two_strata_refused_unless_nested() -> None:
    w = np.ones(4)
    with pytest.raises(DesignError, match="more than one stratum"):
        Design.from_arrays(w, strata=[1, 1, 2, 2], psu=[1, 2, 1, 2])
    des = Design.from_arrays(w, strata=[1, 1, 2, 2], psu=[1, 2, 1, 2], nest=True)
    assert des.n_psus == 4 and des.degf() == 2


def test_unknown_lonely_option_refused() -> None:
    with pytest.raises(DesignError, match="lonely-PSU option"):
        small_design(lonely_psu="ignore")


def test_lonely_psu_fail_raises_clear_error() -> None:
    des = Design.from_arrays([1.0, 2.0, 3.0, 4.0], strata=[1, 1, 2, 2], psu=[1, 2, 3, 3])
    with pytest.raises(LonelyPSUError) as info:
        an.mean(des, [1.0, 2.0, 3.0, 4.0])
    assert info.value.message.params == {"stratum": "2"}
    assert "only one PSU" in str(info.value)


@pytest.mark.parametrize("option", ["remove", "certainty", "adjust", "average"])
def test_lonely_options_give_finite_variance(option: str) -> None:
    des = Design.from_arrays(
        [1.0, 2.0, 3.0, 4.0, 2.0], strata=[1, 1, 1, 2, 2], psu=[1, 2, 2, 3, 3], lonely_psu=option
    )
    est = an.mean(des, [1.0, 2.0, 5.0, 4.0, 0.0])
    assert np.isfinite(est.se).all() and est.se[0] > 0


def test_fpc_must_be_constant_within_stratum_and_not_mixed() -> None:
    with pytest.raises(DesignError, match="varies within stratum"):
        small_design(fpc=[10, 10, 10, 12, 20, 20, 20, 20])
    with pytest.raises(DesignError, match="population sizes"):
        small_design(fpc=[10, 10, 10, 10, 0.5, 0.5, 0.5, 0.5])
    with pytest.raises(DesignError, match="more than 100%"):
        small_design(fpc=[1.5, 1.5, 1.5, 1.5, 20, 20, 20, 20])


def test_fpc_as_fraction_equals_population_size() -> None:
    y = np.arange(8.0)
    by_size = an.mean(small_design(fpc=[4, 4, 4, 4, 6, 6, 6, 6]), y)
    by_fraction = an.mean(small_design(fpc=[0.5] * 4 + [0.5] * 4), y)
    np.testing.assert_allclose(by_size.se, by_fraction.se, rtol=1e-12)


def test_full_sampling_stratum_contributes_nothing() -> None:
    y = np.arange(8.0)
    census = small_design(fpc=[2, 2, 2, 2, 1e9, 1e9, 1e9, 1e9])
    v_census = an.total(census, y).vcov[0, 0]
    only_s2 = an.total(small_design(), np.where(np.arange(8) >= 4, y, 0.0)).vcov[0, 0]
    np.testing.assert_allclose(v_census, only_s2, rtol=1e-6)


def test_subset_keeps_design_and_zeroes_weights() -> None:
    des = small_design()
    sub = des.subset(np.array([1, 1, 0, 0, 1, 0, np.nan, 1], dtype=float))
    assert sub.n_psus == des.n_psus and list(sub.n_psu) == [2, 3]
    np.testing.assert_array_equal(
        sub.weights == 0, [False, False, True, True, False, True, True, False]
    )
    assert sub.degf() == 1  # PSUs 1, 3, 5 in 2 strata
    assert sub.n_rows == 4


def test_vcov_from_influence_matches_hand_computation() -> None:
    des = small_design()
    x = np.array([1.0, -1.0, 2.0, 0.5, 3.0, -2.0, 1.0, 0.0])
    psu_tot = np.array([0.0, 2.5, 1.0, 1.0, 0.0])
    s1 = psu_tot[:2] - psu_tot[:2].mean()
    s2 = psu_tot[2:] - psu_tot[2:].mean()
    expected = 2 / 1 * (s1**2).sum() + 3 / 2 * (s2**2).sum()
    np.testing.assert_allclose(des.vcov_from_influence(x)[0, 0], expected, rtol=1e-14)


def test_vcov_from_influence_checks_length() -> None:
    with pytest.raises(DesignError):
        small_design().vcov_from_influence(np.ones(3))


def test_unstratified_unclustered_mean_is_textbook_srs() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(size=50)
    est = an.mean(Design.from_arrays(np.full(50, 3.0)), y)
    np.testing.assert_allclose(est.estimate[0], y.mean(), rtol=1e-14)
    np.testing.assert_allclose(est.se[0], y.std(ddof=1) / np.sqrt(50), rtol=1e-12)
    assert est.degf == 49


def test_lonely_fail_only_when_the_domain_reaches_the_singleton_stratum() -> None:
    des = Design.from_arrays([1.0, 2.0, 3.0, 4.0], strata=[1, 1, 2, 2], psu=[1, 2, 3, 3])
    y = [1.0, 2.0, 3.0, 4.0]
    inside = [True, True, False, False]
    assert an.mean(des, y, where=inside).se[0] > 0
    assert an.mean(des.subset(inside), y).se[0] > 0
    with pytest.raises(LonelyPSUError):
        an.mean(des, y, where=[True, False, True, False])
