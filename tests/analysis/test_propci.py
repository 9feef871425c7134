"""The closed-form intercept-only logistic fit behind svyciprop equals the general svyglm."""

from __future__ import annotations

import numpy as np
import pytest

import analysis as an
from analysis import Design, propci
from analysis._logit1 import fit_intercept_logit

from .r_reference import col, data, design


@pytest.mark.parametrize("domain", [None, "North"])
def test_closed_form_matches_general_irls(domain: str | None) -> None:
    des = design("rake_tight")
    if domain is not None:
        des = des.subset(data().region == domain)
    y = np.where(des.weights > 0, col("y"), 0.0)
    fast = fit_intercept_logit(des, y)
    assert fast is not None
    glm = an.svyglm(des, np.ones((des.n, 1)), y, family="quasibinomial")
    np.testing.assert_allclose(fast.coef, glm.coef[0], rtol=1e-12)
    np.testing.assert_allclose(fast.var, glm.vcov[0, 0], rtol=1e-10)
    np.testing.assert_allclose(fast.naive_var, glm.naive_vcov[0, 0], rtol=1e-10)
    np.testing.assert_allclose(fast.deviance, glm.deviance, rtol=1e-12)
    np.testing.assert_allclose(fast.dispersion, glm.dispersion, rtol=1e-10)


@pytest.mark.parametrize("method", ["logit", "likelihood"])
def test_general_fallback_gives_the_same_interval(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    des = design()
    fast = an.ciprop(des, col("y"), method=method)  # type: ignore[arg-type]
    monkeypatch.setattr(propci, "fit_intercept_logit", lambda sub, y: None)
    slow = an.ciprop(des, col("y"), method=method)  # type: ignore[arg-type]
    for attr in ("estimate", "se", "ci_l", "ci_u", "df"):
        np.testing.assert_allclose(getattr(fast, attr), getattr(slow, attr), rtol=1e-10)
    assert fast.n == slow.n == 2000


def test_non_binary_proportions_are_accepted() -> None:
    des = Design.from_arrays(np.ones(6), psu=[1, 1, 2, 2, 3, 3])
    r = an.ciprop(des, [0.0, 0.5, 1.0, 1.0, 0.25, 0.0], method="likelihood")
    assert r.estimate == pytest.approx(2.75 / 6)
    assert r.ci_l < r.estimate < r.ci_u
