"""The fast paths give the numbers of the plain ones: vectorised ``ciprop_by`` against one
``ciprop`` per domain, PSU-sorted rows (segmented sums) against shuffled rows
(``bincount``), normal equations against QR in ``svyglm``."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pytest

import analysis as an
from analysis import _irls, _logit1, propci

from .r_reference import col, data, design, factor

METHODS = ("logit", "likelihood", "asin", "beta", "mean", "xlogit")


@pytest.fixture(autouse=True)
def strict_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _same(a: an.PropCI, b: an.PropCI) -> None:
    for attr in ("estimate", "se", "ci_l", "ci_u", "df"):
        np.testing.assert_allclose(getattr(a, attr), getattr(b, attr), rtol=1e-10, atol=1e-14)
    assert a.n == b.n


def _y_with_gaps() -> np.ndarray:
    y = col("y").copy()
    y[::17] = np.nan
    return y


@pytest.mark.parametrize("key", ["", "rake_tight", "lonely_adjust", "lonely_average"])
@pytest.mark.parametrize("method", METHODS)
def test_ciprop_by_equals_one_ciprop_per_domain(key: str, method: str) -> None:
    des = design(key)
    region = factor("region")
    y = _y_with_gaps()
    by_domain = an.ciprop_by(des, y, region, method=method)  # type: ignore[arg-type]
    assert [r.domain for r in by_domain] == [(lv,) for lv in region.levels]
    for k, r in enumerate(by_domain):
        one = an.ciprop(des, y, method=method, where=region.codes == k)  # type: ignore[arg-type]
        _same(r, one)


def test_ciprop_by_falls_back_where_r_stops_after_one_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    des, region, y = design(), factor("region"), _y_with_gaps()
    fast = an.ciprop_by(des, y, region)
    monkeypatch.setattr(_logit1, "_iterate", lambda *args: None)
    slow = an.ciprop_by(des, y, region)
    for a, b in zip(fast, slow, strict=True):
        _same(a, b)


def test_ciprop_by_names_an_empty_domain() -> None:
    des, region = design(), factor("region")
    y = np.where(region.codes == 1, np.nan, col("y"))
    with pytest.raises(an.EmptyDomainError, match="Domain Central has no respondents"):
        an.ciprop_by(des, y, region)


def test_shuffled_rows_give_the_same_estimates() -> None:
    d = data()
    order = np.random.default_rng(3).permutation(len(d))
    sorted_des = design()
    assert sorted_des.psu_starts() is not None  # the fixture is sorted by PSU
    shuffled = an.Design.from_arrays(
        d.weight.to_numpy()[order], strata=d.stratum.to_numpy()[order], psu=d.psu.to_numpy()[order]
    )
    assert shuffled.psu_starts() is None
    score, y = col("score"), col("y")
    region, sex = factor("region"), factor("sex")

    def perm(f: an.Factor) -> an.Factor:
        return an.Factor(f.codes[order], f.levels)

    a, b = an.mean(sorted_des, score), an.mean(shuffled, score[order])
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-12)
    np.testing.assert_allclose(a.vcov, b.vcov, rtol=1e-10)
    x, names = an.model_matrix({"score": score, "sex": sex, "region": region}, len(d))
    xs, _ = an.model_matrix(
        {"score": score[order], "sex": perm(sex), "region": perm(region)}, len(d)
    )
    g1 = an.svyglm(sorted_des, x, y, family="quasibinomial", terms=names)
    g2 = an.svyglm(shuffled, xs, y[order], family="quasibinomial", terms=names)
    np.testing.assert_allclose(g1.coef, g2.coef, rtol=1e-10)
    np.testing.assert_allclose(g1.vcov, g2.vcov, rtol=1e-9)
    for r1, r2 in zip(
        an.ciprop_by(sorted_des, y, region),
        an.ciprop_by(shuffled, y[order], perm(region)),
        strict=True,
    ):
        _same(r1, r2)


@pytest.mark.parametrize("family", ["gaussian", "quasibinomial"])
def test_normal_equations_agree_with_qr(family: str, monkeypatch: pytest.MonkeyPatch) -> None:
    des = design("rake_tight")
    columns: dict[str, object] = {"sex": factor("sex"), "agegrp": factor("agegrp")}
    if family == "quasibinomial":
        columns["score"] = col("score_na")
    x, names = an.model_matrix(columns, des.n)
    y = col("y") if family == "quasibinomial" else col("score_na")
    fast = an.svyglm(des, x, y, family=family, terms=names)  # type: ignore[arg-type]
    monkeypatch.setattr(_irls, "_MAX_GRAM_CONDITION", 1.0)  # every step by QR, as R
    slow = an.svyglm(des, x, y, family=family, terms=names)  # type: ignore[arg-type]
    assert fast.iterations == slow.iterations
    np.testing.assert_allclose(fast.coef, slow.coef, rtol=1e-11)
    np.testing.assert_allclose(fast.vcov, slow.vcov, rtol=1e-10)
    np.testing.assert_allclose(fast.naive_vcov, slow.naive_vcov, rtol=1e-10)
    np.testing.assert_allclose(fast.deviance, slow.deviance, rtol=1e-12)
    np.testing.assert_allclose(fast.dispersion, slow.dispersion, rtol=1e-10)
    np.testing.assert_array_equal(np.isnan(fast.fitted), np.isnan(col("score_na")))


def test_ill_conditioned_but_full_rank_model_is_solved_by_qr() -> None:
    des = design()
    rng = np.random.default_rng(2)
    age = rng.normal(40, 8, des.n)
    near = age + rng.normal(0, 1e-4, des.n)  # condition number of X'WX far above 1e6
    x, names = an.model_matrix({"age": age, "near": near}, des.n)
    fit = an.svyglm(des, x, col("y"), family="quasibinomial", terms=names)
    assert fit.converged and np.all(np.isfinite(fit.se))


def test_propci_is_the_module_ciprop_by_uses() -> None:
    assert propci.ciprop_by is an.ciprop_by


def test_cell_raking_and_trimming_equal_the_row_versions() -> None:
    from analysis import wave_weighting as ww

    rng = np.random.default_rng(4)
    n = 3000
    base = rng.uniform(20, 200, n)
    sex = an.Factor(rng.choice(2, n, p=[0.65, 0.35]), ("M", "F"))
    title = an.Factor(rng.choice(4, n), ("a", "b", "c", "d"))
    total = float(base.sum())
    margins = ww._margins(
        {
            "sex": {"M": 0.52 * total, "F": 0.48 * total},
            "title": {"a": 0.1 * total, "b": 0.25 * total, "c": 0.4 * total, "d": 0.25 * total},
        },
        {"sex": sex, "title": title},
        n,
    )
    got = ww._Cells(margins, n).rake(base, maxit=100, epsilon=1e-10)
    ref = an.rake(an.Design.from_arrays(base), margins, maxit=100, epsilon=1e-10).weights
    np.testing.assert_allclose(got, ref, rtol=1e-10)
    # only the upper bound binds: repeated proportional trimming reaches the exact solution
    lo, hi = 0.01 * ref.mean(), 1.5 * ref.mean()
    trimmed = an.trim_weights(
        an.Design.from_arrays(ref), lower=lo, upper=hi, redistribute="proportional", strict=True
    ).weights
    np.testing.assert_allclose(ww._trim(ref, lo, hi), trimmed, rtol=1e-10)
    # both bounds: inside the bounds, total kept, order kept, untouched rows scaled alike
    lo, hi = 0.6 * ref.mean(), 1.6 * ref.mean()
    out = ww._trim(ref, lo, hi)
    assert out.min() >= lo and out.max() <= hi
    assert out.sum() == pytest.approx(ref.sum(), rel=1e-12)
    assert np.all(np.diff(out[np.argsort(ref, kind="stable")]) >= 0)
    free = (out > lo) & (out < hi)
    ratio = out[free] / ref[free]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12)
