"""Small-cell suppression: primary and complementary rules, and that no blanked count can
be recovered by subtraction (an independent linear-algebra attack on the published counts)."""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis as an
from analysis import AnalysisError, EstimateTable
from analysis.table import COMPLEMENTARY, PRIMARY, PUBLISHED


def _table(
    answer: np.ndarray,
    n_levels: int,
    breakdowns: list[tuple[str, np.ndarray, int]],
    kind: str,
) -> EstimateTable:
    """Counts of microdata as the wave table lays them out. ``answer`` is a level code
    (categorical), 0/1 (multi) or anything >= 0 (mean); -1 = no valid answer."""
    cols: dict[str, list[Any]] = {
        k: []
        for k in ("variable", "level", "statistic", "by", "domain", "n", "count", "exhaustive")
    }
    cols["estimate"] = []
    valid = answer >= 0
    doms = [("", "", valid)]
    for name, codes, n_dom in breakdowns:
        doms.extend((name, f"d{d}", valid & (codes == d)) for d in range(n_dom))
    levels = list(range(n_levels)) if kind == "categorical" else [1] if kind == "multi" else [-1]
    for by, dom, rows in doms:
        n = int(rows.sum())
        if n == 0:
            continue
        for lv in levels:
            count = int((rows & (answer == lv)).sum()) if lv >= 0 else n
            cols["variable"].append("q")
            cols["level"].append(str(lv) if lv >= 0 else "")
            cols["statistic"].append("mean" if kind == "mean" else "proportion")
            cols["by"].append(by)
            cols["domain"].append(dom)
            cols["n"].append(n)
            cols["count"].append(count)
            cols["estimate"].append(count / n)
            cols["exhaustive"].append(kind != "multi")
    arr = {k: np.asarray(v) for k, v in cols.items()}
    arr["se"] = arr["ci_l"] = arr["ci_u"] = arr["deff"] = arr["estimate"] * 0.1
    arr["df"] = np.full(len(arr["n"]), 10)
    return EstimateTable.from_columns(arr)


def _flags(t: EstimateTable) -> dict[tuple[str, str, str], int]:
    return {(b, d, lv): int(f) for b, d, lv, f in zip(t.by, t.domain, t.level, t.flag, strict=True)}


def test_one_small_level_takes_the_next_smallest_level_of_its_domain() -> None:
    answer = np.repeat([0, 1, 2, 3], [50, 5, 30, 20])
    out = an.suppress(_table(answer, 4, [], "categorical"), k=10)
    assert [int(f) for f in out.flag] == [PUBLISHED, PRIMARY, PUBLISHED, COMPLEMENTARY]
    assert out.k == 10 and out.n.tolist() == [105] * 4  # the base stays published
    assert out.count.tolist() == [50, -1, 30, -1]
    assert np.isnan(out.estimate[[1, 3]]).all() and not np.isnan(out.estimate[[0, 2]]).any()
    for rec in out.to_records():
        assert all(v is None or v == v for v in rec.values())  # no NaN in records
    assert [r["flag"] for r in out.to_records()][:2] == ["published", "suppressed"]


def test_a_small_domain_takes_the_next_smallest_domain_when_the_total_is_published() -> None:
    group = np.repeat([0, 1, 2], [100, 50, 6])
    answer = np.zeros(156)
    out = an.suppress(_table(answer, 1, [("g", group, 3)], "mean"), k=10)
    flags = _flags(out)
    assert flags[("", "", "")] == PUBLISHED
    assert flags[("g", "d2", "")] == PRIMARY
    assert flags[("g", "d1", "")] == COMPLEMENTARY
    assert flags[("g", "d0", "")] == PUBLISHED
    assert out.n.tolist() == [156, 100, -1, -1]


def test_a_zero_level_is_not_sensitive_unless_asked() -> None:
    answer = np.repeat([0, 2], [40, 30])
    out = an.suppress(_table(answer, 3, [], "categorical"))
    assert out.flag.tolist() == [PUBLISHED] * 3
    zeros = an.suppress(_table(answer, 3, [], "categorical"), zeros=True)
    assert zeros.flag.tolist() == [PUBLISHED, PRIMARY, COMPLEMENTARY]


def test_suppress_is_idempotent_and_refuses_a_larger_k_later() -> None:
    t = an.suppress(_table(np.repeat([0, 1], [30, 4]), 2, [], "categorical"), k=5)
    assert an.suppress(t, k=5) is t and an.suppress(t, k=3) is t
    with pytest.raises(AnalysisError, match="already suppressed with k=5"):
        an.suppress(t, k=10)
    with pytest.raises(AnalysisError, match="positive whole number"):
        an.suppress(_table(np.zeros(3), 1, [], "mean"), k=0)


def test_core_estimates_become_suppressed_tables() -> None:
    rng = np.random.default_rng(2)
    n = 400
    psu = rng.integers(0, 20, n)
    des = an.Design.from_arrays(rng.uniform(1, 3, n), strata=psu // 5, psu=psu)
    q = an.Factor(np.where(rng.uniform(size=n) < 0.02, 2, rng.integers(0, 2, n)), ("a", "b", "c"))
    g = an.Factor(rng.integers(0, 2, n), ("x", "y"))
    dom = an.table_from_domains(an.by(des, q, g), variable="q")
    assert set(dom.by.tolist()) == {"by1"} and dom.k is None
    out = an.suppress(dom)
    small = out.take(np.asarray(dom.count) < 10)
    assert np.all(small.flag == PRIMARY)
    overall = an.suppress(an.table_from_estimate(an.mean(des, q, name="q"), variable="q"))
    assert overall.statistic.tolist() == ["proportion"] * 3
    assert np.all(np.isfinite(overall.ci_l[overall.flag == PUBLISHED]))
    mean = an.table_from_estimate(an.mean(des, rng.normal(size=n), name="score"))
    assert mean.statistic.tolist() == ["mean"] and mean.ci_l[0] < mean.estimate[0] < mean.ci_u[0]


# ------------------------------------------------------------- the attack ----
def _recoverable(
    t: EstimateTable,
    answer: np.ndarray,
    n_levels: int,
    breakdowns: list[tuple[str, np.ndarray, int]],
    kind: str,
    k: int = 10,
) -> list[tuple[str, str, str]]:
    """Blanked cells whose count is a linear combination of published counts.

    The unknowns are the counts of the full cross-classification of the respondents
    (every breakdown, its "not given" value, the answer); each published number is a sum
    of some of them. Empty domains and an absent "not given" group are known to be 0."""
    valid = answer >= 0
    ans_levels = n_levels if kind == "categorical" else 2 if kind == "multi" else 1
    axes = [range(nd + 1) for _, _, nd in breakdowns] + [range(ans_levels)]
    joint = list(itertools.product(*axes))
    index = {cell: i for i, cell in enumerate(joint)}
    counts = np.zeros(len(joint))
    for row in np.flatnonzero(valid):
        cell = tuple(int(c[row]) if c[row] >= 0 else nd for _, c, nd in breakdowns)
        counts[index[(*cell, int(answer[row]) if kind != "mean" else 0)]] += 1

    def functional(b: int | None, d: int | None, level: int | None) -> np.ndarray:
        f = np.zeros(len(joint))
        for cell, i in index.items():
            if (b is None or cell[b] == d) and (level is None or cell[-1] == level):
                f[i] = 1.0
        return f

    published: list[np.ndarray] = []
    blanked: list[tuple[tuple[str, str, str], np.ndarray]] = []
    names = [name for name, _, _ in breakdowns]
    for i in range(len(t)):
        b = names.index(t.by[i]) if t.by[i] else None
        d = int(t.domain[i][1:]) if t.domain[i] else None
        lv = None if kind == "mean" else int(t.level[i])
        key = (str(t.by[i]), str(t.domain[i]), str(t.level[i]))
        cell = functional(b, d, lv)
        base = functional(b, d, None)
        (published.append(cell) if t.count[i] >= 0 else blanked.append((key, cell)))
        no = base - cell  # multi: "all but a few chose it" is sensitive too
        if kind == "multi" and 0 < no @ counts < k:
            blanked.append(((key[0], key[1], "not chosen"), no))
        if t.n[i] >= 0:
            published.append(base)
        else:
            blanked.append(((key[0], key[1], "n"), base))
    for bi, (_, codes, nd) in enumerate(breakdowns):
        for d in range(nd + 1):
            rows = valid & ((codes == d) if d < nd else (codes < 0))
            if not rows.any():  # known to be empty
                published.extend(functional(bi, d, lv) for lv in range(ans_levels))
    base_rank = np.linalg.matrix_rank(np.array(published)) if published else 0
    out = []
    for key, f in blanked:
        stacked = np.array([*published, f])
        if np.linalg.matrix_rank(stacked) == base_rank:
            out.append(key)
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 70),
    n_levels=st.integers(1, 4),
    domains=st.lists(st.integers(1, 4), max_size=2),
    kind=st.sampled_from(["categorical", "multi", "mean"]),
    k=st.integers(2, 10),
    missing=st.booleans(),
)
def test_no_blanked_count_can_be_recovered_from_published_counts(
    seed: int,
    n: int,
    n_levels: int,
    domains: list[int],
    kind: str,
    k: int,
    missing: bool,
) -> None:
    rng = np.random.default_rng(seed)
    levels = n_levels if kind == "categorical" else 2
    answer = rng.choice(levels, size=n, p=rng.dirichlet(np.full(levels, 0.7)))
    if missing:
        answer[rng.uniform(size=n) < 0.1] = -1
    breakdowns = []
    for j, nd in enumerate(domains):
        codes = rng.choice(nd, size=n, p=rng.dirichlet(np.full(nd, 0.7)))
        if missing:
            codes[rng.uniform(size=n) < 0.15] = -1
        breakdowns.append((f"b{j}", codes, nd))
    table = _table(answer, n_levels, breakdowns, kind)
    if len(table) == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = an.suppress(table, k=k)
    # primary rule: nothing published rests on 1..k-1 respondents
    pub = out.flag == PUBLISHED
    assert np.all((out.count[pub] == 0) | (out.count[pub] >= k))
    assert np.all((out.n == -1) | (out.n >= k))
    assert np.all(np.isnan(out.estimate) == ~pub)
    # complementary rule: no blanked count follows from the published ones
    assert _recoverable(out, answer, n_levels, breakdowns, kind, k) == []


def test_attack_finds_an_unprotected_cell() -> None:
    """The checker itself: blanking one level of an exhaustive item alone is recoverable."""
    answer = np.repeat([0, 1, 2], [30, 4, 30])
    table = _table(answer, 3, [], "categorical")
    naive = replace(table, count=np.array([30, -1, 30]), flag=np.array([0, 1, 0], np.int8))
    assert _recoverable(naive, answer, 3, [], "categorical") == [("", "", "1")]
    assert math.isclose(float(an.suppress(table).estimate[2]), 30 / 64)
