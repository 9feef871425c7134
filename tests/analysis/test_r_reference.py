"""Every number in the R reference files, recomputed by ``analysis`` (relative error 1e-8).

Covered: every block of ``results.csv`` (R 4.2.2, survey 4.1-1; see the shared
reference README) and of ``extra_results.csv`` (make_extra.R), plus all weight columns
of ``weights.csv``.

Not covered:
* ``meta`` - the R and survey version strings; there is no number to compare.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from .r_reference import FIXTURES, read_reference
from .r_reference_blocks import compute, design

NOT_COVERED = {"meta": "version strings, not numbers"}
RELATIVE = 1e-8
ABSOLUTE_NEAR_ZERO = 1e-10

ROWS = read_reference("results.csv") + read_reference("extra_results.csv")
CHECKED = [row for row in ROWS if row[0] not in NOT_COVERED]


def _close(got: float, ref: float) -> bool:
    if abs(ref) < 1e-12:
        return abs(got) <= ABSOLUTE_NEAR_ZERO
    return abs(got - ref) <= RELATIVE * abs(ref)


@pytest.mark.parametrize(
    ("block", "stat", "term", "value"),
    CHECKED,
    ids=[f"{b}|{s}|{t}" for b, s, t, _ in CHECKED],
)
def test_matches_r(block: str, stat: str, term: str, value: str) -> None:
    computed = compute(block)
    assert (stat, term) in computed, f"{block}: no value computed for {stat} {term}"
    got, ref = computed[(stat, term)], float(value)
    assert _close(got, ref), f"{block} {stat} {term}: got {got!r}, R {ref!r}"


def test_reference_files_are_all_checked() -> None:
    blocks = {row[0] for row in ROWS}
    assert blocks - set(NOT_COVERED) == {row[0] for row in CHECKED}
    assert len(CHECKED) >= 760


WEIGHT_DESIGNS = {
    "w_design": "",
    "w_poststrat_agegrp": "poststrat",
    "w_rake_default": "rake_default",
    "w_rake_tight": "rake_tight",
    "w_calib_linear": "calib_linear",
    "w_calib_raking": "calib_raking",
}


@pytest.mark.parametrize("column", sorted(WEIGHT_DESIGNS))
def test_weights_match_r(column: str) -> None:
    ref = pd.read_csv(FIXTURES / "weights.csv")[column].to_numpy(dtype=np.float64)
    got = design(WEIGHT_DESIGNS[column]).weights
    np.testing.assert_allclose(got, ref, rtol=RELATIVE, atol=0)
