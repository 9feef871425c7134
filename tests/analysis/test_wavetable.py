"""The wave table agrees with the core estimators (svyby, svymean, svyciprop) and is
published suppressed, without NaN or numpy warnings."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

import analysis as an
from analysis import AnalysisError, Kind
from analysis.simulate import simulate_answers, simulate_meta
from analysis.table import PUBLISHED, prop_ci
from analysis.wavetable import wave_estimates
from instruments.standard import load_standard


@pytest.fixture(scope="module")
def ds() -> an.Dataset:
    ins = load_standard()
    n = 3000
    meta = simulate_meta(n, stations=12, strata=3, seed=5)
    answers = simulate_answers(ins, n, seed=5, station=meta["station"])
    return an.dataset_from_answers(ins, answers, meta, reference_year=2025)


@pytest.fixture(scope="module")
def raw(ds: an.Dataset) -> an.EstimateTable:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return wave_estimates(ds)


def _values(ds: an.Dataset, code: str):
    return ds.factor(code) if ds.codebook[code].kind is Kind.CATEGORICAL else ds.numeric(code)


@pytest.mark.parametrize(
    ("code", "by"),
    [
        ("B6", "sector"),
        ("D2_r3", "title"),
        ("J1__G04", "region"),
        ("B1", "age_group"),
        ("D6__rank1", "sex"),
        ("C1", "sector"),
    ],
)
def test_domain_rows_match_svyby(ds, raw, code: str, by: str) -> None:
    des = ds.design()
    ref = an.by(des, _values(ds, code), ds.factor(by), deff="replace")
    rows = raw.where(variable=code, by=by)
    assert rows.domain.tolist() == [d[0] for d in ref.domains for _ in ref.terms]
    np.testing.assert_allclose(rows.estimate, ref.estimate.ravel(), rtol=1e-10)
    np.testing.assert_allclose(rows.se, ref.se.ravel(), rtol=1e-8)
    np.testing.assert_allclose(rows.deff, ref.deff.ravel(), rtol=1e-7)
    assert rows.n.tolist() == np.repeat(ref.n, len(ref.terms)).tolist()
    assert rows.df.tolist() == np.repeat(ref.degf, len(ref.terms)).tolist()
    if ref.cases is not None:
        assert rows.count.tolist() == ref.cases.ravel().tolist()
    overall = raw.where(variable=code, by="")
    whole = an.mean(des, _values(ds, code), deff="replace")
    np.testing.assert_allclose(overall.estimate, whole.estimate, rtol=1e-10)
    np.testing.assert_allclose(overall.se, whole.se, rtol=1e-8)
    if ds.codebook[code].kind is Kind.NUMERIC:
        lo, hi = whole.confint(df=whole.degf)
        np.testing.assert_allclose(overall.ci_l, lo, rtol=1e-10)
        np.testing.assert_allclose(overall.ci_u, hi, rtol=1e-10)


def test_proportion_intervals_are_svyciprop_logit(ds, raw) -> None:
    des = ds.design()
    for code in ("J1__G04", "G4"):
        y = ds.numeric(code) if code.startswith("J1") else (ds[code] == 0).astype(float)
        y = np.where(ds[code] < 0, np.nan, y)
        ref = an.ciprop_by(des, y, ds.factor("title"))
        level = "G04" if code.startswith("J1") else "1"
        rows = raw.where(variable=code, by="title", level=level)
        np.testing.assert_allclose(rows.ci_l, [r.ci_l for r in ref], rtol=1e-6)
        np.testing.assert_allclose(rows.ci_u, [r.ci_u for r in ref], rtol=1e-6)
        assert rows.df.tolist() == [int(r.df) for r in ref]


def test_wave_table_covers_every_closed_column_and_is_suppressed(ds) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = an.wave_table(ds, k=10)
        records = table.to_records(ds.codebook, "zh-hans")
    assert table.k == 10
    closed = {v.code for v in ds.codebook.closed()}
    assert set(table.variable.tolist()) == closed
    assert set(table.by.tolist()) == {"", "sector", "region", "title", "age_group", "sex"}
    pub = table.flag == PUBLISHED
    assert np.all((table.count[pub] == 0) | (table.count[pub] >= 10))
    assert np.all((table.n == -1) | (table.n >= 10))
    assert np.isnan(table.estimate).tolist() == (~pub).tolist()
    assert np.all(np.isfinite(table.ci_l[pub])) and np.all(table.ci_l[pub] <= table.estimate[pub])
    assert np.all(table.estimate[pub] <= table.ci_u[pub])
    assert (~pub).any()  # 3,000 respondents over 9 regions: some cells are small
    for rec in records:
        assert all(v is None or v == v for v in rec.values())
    first = records[0]
    assert first["variable_label"] == "您的性别" and first["level_label"] == "男"
    sector_row = next(r for r in records if r["by"] == "sector")
    assert sector_row["domain_label"] == sector_row["domain"]  # no labels were given


def test_extreme_proportions_get_a_clopper_pearson_interval() -> None:
    lo, hi = prop_ci(
        np.array([0.0, 1.0, 0.5]), np.zeros(3), np.array([5, 5, 0]), np.array([20] * 3)
    )
    edge = 1 - 0.025 ** (1 / 20)
    np.testing.assert_allclose([lo[0], hi[0], lo[1], hi[1]], [0, edge, 1 - edge, 1])
    assert np.isnan(lo[2]) and np.isnan(hi[2])  # no degrees of freedom: no interval
    assert stats.beta.ppf(0.975, 1, 20) == pytest.approx(edge)


def test_wave_table_refusals(ds) -> None:
    with pytest.raises(AnalysisError, match="K1 is not a closed item"):
        an.wave_table(ds, variables=["K1"])
    with pytest.raises(AnalysisError, match="Unknown variable nope"):
        an.wave_table(ds, variables=["nope"])
    empty = an.Dataset(ds.codebook, {**ds.columns, "B1": np.full(ds.n, np.nan)}, ds.texts, "x", {})
    table = an.wave_table(empty, variables=["B1", "B2"], by=("sex",))
    assert set(table.variable.tolist()) == {"B2"}
    with pytest.raises(AnalysisError, match="B1 has no valid answers"):
        an.wave_table(empty, variables=["B1"], empty="raise")


def test_a_lonely_station_fails_unless_a_rule_is_chosen(ds) -> None:
    stratum = ds["stratum"].copy()
    station = ds["station"]
    stratum[station == station.max()] = 3
    book = ds.codebook.with_variables(
        (an.codebook.domain_variable("stratum", ("sec1", "sec2", "sec3", "alone")),)
    )
    lonely = an.Dataset(book, {**ds.columns, "stratum": stratum}, ds.texts, "y", {})
    with pytest.raises(an.LonelyPSUError, match="Stratum alone has only one PSU"):
        an.wave_table(lonely, variables=["B6"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = an.wave_table(lonely, variables=["B6"], lonely_psu="adjust")
    assert len(table) > 0
