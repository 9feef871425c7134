"""The grievance table: indicators, prevalence, intensity, breadth, ranking, change,
hotspots, model, quotes, themes, suppression and the JSON round trip."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import analysis as an
from analysis.grievances import (
    GrievanceTable,
    Indicators,
    combine,
    grievance_indicators,
    grievance_table,
    load_taxonomy,
)
from analysis.grievances.aggregate import _domain_vs_rest
from analysis.text import read_labelled
from instruments.standard import load_standard

SECTORS = ("univ", "inst", "ent", "hosp")
TITLES = ("senior", "associate", "intermediate", "junior", "none")
AGES = ("lt35", "35-44", "45-54", "55plus")


def _wave(n: int, stations: int, seed: int, texts=None, answers=None) -> an.Dataset:
    """Stations in contiguous equal blocks of rows (row i is in station i * stations // n),
    sector = station mod 4."""
    rng = np.random.default_rng(seed)
    station = np.arange(n) * stations // n
    sector = np.array(SECTORS)[station % 4]
    meta = {
        "station": np.array([f"S{s:02d}" for s in station]),
        "stratum": sector,
        "sector": sector,
        "weight": rng.uniform(0.5, 2.0, n).round(3),
        "title": rng.choice(TITLES, n),
        "age_group": rng.choice(AGES, n),
        "region": rng.choice(["north", "south", "east"], n),
    }
    if answers is None:
        answers = [{} for _ in range(n)]
    if texts is not None:
        for a, t in zip(answers, texts, strict=True):
            if t is not None:
                a["K1"] = t
    return an.dataset_from_answers(load_standard(), answers, meta)


def _indicators(ds: an.Dataset, values: np.ndarray) -> Indicators:
    tax = load_taxonomy()
    n = ds.n
    return Indicators(
        codes=tax.codes,
        ranked=tax.ranked_codes,
        values=values,
        closed=values,
        text=np.full(values.shape, np.nan),
        text_scores=np.full(values.shape, np.nan),
        text_source=np.full(values.shape, -1, dtype=np.int16),
        text_items=(),
        unclassified=np.zeros((n, 0), dtype=bool),
    )


# ------------------------------------------------------------------ end to end ----
@pytest.fixture(scope="module")
def wave():
    """2,400 respondents in 24 stations: J1 choices by station, open answers from the
    labelled set, a planted new theme, one answer with personal data, one tiny station."""
    rng = np.random.default_rng(11)
    n = 2400
    labelled = [r.text for r in read_labelled() if r.codes]
    new_theme = ["单位食堂饭菜太难吃", "食堂伙食差价格贵", "希望改善食堂伙食", "食堂菜品单一"]
    texts, answers = [], []
    for i in range(n):
        u = rng.random()
        if u < 0.3:
            texts.append(str(rng.choice(labelled)))
        elif u < 0.36:
            texts.append(str(rng.choice(new_theme)))
        else:
            texts.append(None)
        st = i * 24 // n
        p = np.full(16, 0.03)
        p[[2, 5, 0, 4, 12]] = (0.45, 0.30, 0.20, 0.15, 0.12)  # G03 G06 G01 G05 G13 everywhere
        p[3] = 0.40 if st % 4 == 0 else 0.02  # G04 in the university sector only
        chosen = [f"G{j + 1:02d}" for j in np.flatnonzero(rng.random(16) < p)[:3]]
        answers.append({"J1": chosen or ["G00"]})
    texts[5] = "王主任电话13800138000，报销太麻烦了，发票要贴半天"
    ds = _wave(n, 24, 3, texts, answers)
    ind = grievance_indicators(ds)
    return ds, ind


@pytest.fixture(scope="module")
def table(wave) -> GrievanceTable:
    ds, ind = wave
    return grievance_table(ds, ind, wave="2026-Q1", units=("东湖大学",))


def test_indicators_combine_closed_and_text(wave) -> None:
    ds, ind = wave
    assert ind.values.shape == (ds.n, 17) and ind.text_items == ("J1_other", "K1", "K2")
    wrote = ~ds.text("K1").missing
    j = ind.index("G02")
    assert np.isnan(ind.text[~wrote, j]).all() and not np.isnan(ind.text[wrote, j]).any()
    assert np.isnan(ind.text[:, ind.index("G00")]).all()
    np.testing.assert_array_equal(ind.values, combine(ind.closed, ind.text))
    assert combine(np.array([np.nan, 0, 1, np.nan]), np.array([np.nan, np.nan, 0, 1])).tolist()[
        1:
    ] == [0, 1, 1]
    assert ind.unclassified[:, 1].sum() > 100  # the canteen answers


def test_json_round_trip_without_nan(table) -> None:
    text = json.dumps(table.to_dict(), ensure_ascii=False, allow_nan=False)
    back = GrievanceTable.from_dict(json.loads(text))
    assert back == table
    assert back.to_dict() == table.to_dict()


def test_prevalence_matches_the_engine(wave, table) -> None:
    ds, ind = wave
    design = ds.design()
    for code in ("G03", "G06", "G04"):
        row = table.row(code)
        y = ind.column(code)
        ok = ~np.isnan(y)
        assert row.n == int(ok.sum()) and row.count == int((y == 1).sum())
        w = ds.weights
        assert row.prevalence == pytest.approx(np.average(y[ok], weights=w[ok]), rel=1e-12)
        ci = an.ciprop(design, y)  # R's svyciprop(method="logit")
        assert row.ci_l == pytest.approx(ci.ci_l, rel=1e-6)
        assert row.ci_u == pytest.approx(ci.ci_u, rel=1e-6)
        assert row.df == design.degf()


def test_ranking_rule_and_common_flag(table) -> None:
    ranked = table.ranked
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    for r in ranked:
        assert r.score == pytest.approx(r.prevalence * (0.5 + 0.5 * r.breadth))
        assert r.common == (r.breadth >= table.settings["common_breadth"])
    scores = [r.score for r in ranked]
    assert scores == sorted(scores, reverse=True)
    assert ranked[0].code == "G03" and ranked[0].common
    # G04 is frequent in one sector (6 of 24 stations) only: it is not broad
    g04 = table.row("G04")
    assert g04.stations_present == 6 and g04.sectors_present == 1
    assert g04.breadth == pytest.approx((6 / 24 + 1 / 4) / 2) and not g04.common
    g00 = table.row("G00")
    assert not g00.ranked and g00.rank is None and table.rows[-1].code == "G00"


def test_intensity_definition(wave, table) -> None:
    ds, ind = wave
    named = ind.named()
    y = ind.column("G03")
    namers = (y == 1) & (named > 0)
    expected = np.average(1.0 / named[namers], weights=ds.weights[namers])
    row = table.row("G03")
    assert row.intensity == pytest.approx(expected, rel=1e-12)
    assert row.intensity_ci_l < row.intensity < row.intensity_ci_u <= 1.0


def test_quotes_are_scrubbed_and_spread(wave, table) -> None:
    ds, _ = wave
    station = ds.factor("station")
    sizes = np.bincount(station.codes)
    assert sizes.min() >= 10
    for r in table.rows:
        assert len(r.quotes) <= table.settings["quotes_per_code"]
        texts = [q.text for q in r.quotes]
        assert len(set(texts)) == len(texts)
        for q in r.quotes:
            assert not any(ch.isdigit() for ch in q.text) or "【" in q.text
            assert "13800138000" not in q.text and "王主任" not in q.text
            assert q.sector in SECTORS
    g02 = table.row("G02")
    assert g02.quotes and all(q.score >= g02.quotes[-1].score for q in g02.quotes)


def test_themes_surface_the_planted_topic(table) -> None:
    assert table.themes
    words = {w for t in table.themes for w in t.terms}
    assert "食堂" in words
    for t in table.themes:
        assert t.size >= table.k and t.examples


# ------------------------------------------------------------------ breadth ----
def test_breadth_counts_stations_and_sectors_with_k_respondents() -> None:
    """8 stations x 20 respondents in 4 sectors (2 stations each) + 1 station of 5."""
    n_big, n = 160, 165
    ds = _wave(n, 8, 1)
    station = np.array([f"S{i // 20:02d}" for i in range(n_big)] + ["S99"] * 5)
    sector = np.array([SECTORS[(i // 20) % 4] for i in range(n_big)] + ["univ"] * 5)
    meta = {
        "station": station,
        "stratum": sector,
        "sector": sector,
        "weight": np.ones(n),
    }
    ds = an.dataset_from_answers(load_standard(), [{} for _ in range(n)], meta)
    tax = load_taxonomy()
    v = np.zeros((n, 17))
    st = np.array([i // 20 for i in range(n_big)] + [8] * 5)
    pos = np.array([i % 20 for i in range(n_big)] + list(range(5)))
    # G01: 30% in stations 0-3 (sectors univ inst ent hosp), 0 elsewhere
    v[:, 0] = (st < 4) & (pos < 6)
    # G02..G07: 25%..50% everywhere (the local top five) — G01 drops out of the top 5
    for j in range(1, 7):
        v[:, j] = pos < 4 + j
    # G08: 10% everywhere: published, but below the threshold and not in a top five
    v[:, 7] = pos < 2
    v[:, 16] = 0
    ind = _indicators(ds, v)
    t = grievance_table(ds, ind, k=10, themes=False, models=False, hotspot_by=("sector",))
    g01 = t.row("G01")
    assert g01.stations_counted == 8  # S99 has 5 respondents: not counted
    assert g01.stations_present == 4 and g01.breadth_stations == 0.5
    # per sector (40 respondents): 15% in each sector, below 20%, and below 5 others
    assert g01.sectors_counted == 4 and g01.sectors_present == 0
    assert g01.breadth == pytest.approx(0.25)
    g02 = t.row("G02")
    assert g02.breadth == 1.0 and g02.common
    g08 = t.row("G08")
    assert g08.stations_present == 0 and g08.breadth == 0.0
    assert tax.settings.local_top == 5


# ------------------------------------------------------------------ hotspots ----
def test_domain_vs_rest_matches_compare_domains(wave) -> None:
    ds, ind = wave
    design = ds.design()
    y = ind.column("G04")
    fac = ds.factor("sector")
    p_d, p_r, diff, se, n_d, n_r, df = _domain_vs_rest(design, y, fac)
    valid = int((~np.isnan(y) & (fac.codes >= 0)).sum())
    for lv in range(fac.n_levels):
        assert n_d[lv] + n_r[lv] == valid
        inout = an.Factor(np.where(fac.codes == lv, 0, 1), ("in", "out"))
        ref = an.compare_domains(design, y, inout, "in", "out")
        assert diff[lv] == pytest.approx(ref.estimate, rel=1e-10)
        assert se[lv] == pytest.approx(ref.se, rel=1e-10)
        assert df[lv] == ref.df
        assert p_d[lv] == pytest.approx(ref.a, rel=1e-12) and p_r[lv] == pytest.approx(ref.b)


def test_hotspots_find_the_concentrated_grievance(table) -> None:
    g04 = table.row("G04")
    sectors = [h for h in g04.hotspots if h.by == "sector"]
    assert [h.domain for h in sectors] == ["univ"]
    for h in g04.hotspots:
        assert h.difference > 0 and h.p_adjusted < 0.05 and h.n >= table.k
        assert h.diff_ci_l > 0
        assert h.prevalence == pytest.approx(h.rest + h.difference)
    assert table.row("G03").hotspots == ()


# ------------------------------------------------------------------ model ----
def test_model_odds_ratios(table) -> None:
    m = table.row("G04").model
    assert m is not None and m.error is None and m.n > 0
    variables = {t.variable for t in m.terms}
    assert variables <= {"sector", "age_group", "title", "region"} and "sector" in variables
    for t in m.terms:
        assert t.reference != t.level and t.n >= table.k
        assert t.ci_l <= t.odds_ratio <= t.ci_u
        assert 0 <= t.p_adjusted <= 1 and t.p_adjusted >= t.p_value - 1e-12
    univ = [t for t in m.terms if t.variable == "sector" and t.level == "univ"]
    assert univ and univ[0].odds_ratio > 2 and univ[0].p_adjusted < 0.05


# ------------------------------------------------------------------ change ----
def test_change_against_the_previous_wave(wave, table) -> None:
    ds, ind = wave
    prev_values = ind.values.copy()
    j = ind.index("G06")
    rng = np.random.default_rng(2)
    flip = (prev_values[:, j] == 1) & (rng.random(ds.n) < 0.5)
    prev_values[flip, j] = 0  # G06 was about half as common before
    previous = grievance_table(
        ds, _indicators(ds, prev_values), wave="2025-Q1", themes=False, models=False
    )
    now = grievance_table(ds, ind, wave="2026-Q1", previous=previous, themes=False, models=False)
    assert now.previous_wave == "2025-Q1"
    c = now.row("G06").change
    ref = an.compare_independent(
        now.row("G06").prevalence,
        now.row("G06").se,
        previous.row("G06").prevalence,
        previous.row("G06").se,
    )
    assert c.difference == pytest.approx(ref.estimate) and c.p_value == pytest.approx(ref.p_value)
    assert c.significant and c.difference > 0 and c.p_adjusted >= c.p_value
    unchanged = now.row("G03").change
    assert unchanged.difference == pytest.approx(0.0) and not unchanged.significant
    tested = [r.change.p_value for r in now.rows if r.change is not None]
    adjusted = [r.change.p_adjusted for r in now.rows if r.change is not None]
    np.testing.assert_allclose(adjusted, an.benjamini_hochberg(tested))


# ------------------------------------------------------------------ suppression ----
def test_small_cells_are_blanked(wave) -> None:
    ds, ind = wave
    values = ind.values.copy()
    j = ind.index("G15")
    values[:, j] = np.where(np.isnan(values[:, j]), np.nan, 0.0)
    values[:4, j] = 1.0  # four respondents only
    t = grievance_table(ds, _indicators(ds, values), themes=False)
    row = t.row("G15")
    assert row.suppressed and row.prevalence is None and row.count is None
    assert row.rank is None and row.intensity is None and row.breadth is None
    assert row.hotspots == () and row.model is None and row.quotes == ()
    assert row.n == int((~np.isnan(values[:, j])).sum())  # the base is not sensitive
    json.dumps(t.to_dict(), allow_nan=False)


def test_tiny_wave_is_all_blank_and_does_not_fail() -> None:
    ds = _wave(8, 2, 4, texts=["报销太麻烦"] * 4 + [None] * 4)
    with pytest.raises(an.LonelyPSUError):  # a stratum with one station, as wave_table
        grievance_table(ds)
    t = grievance_table(ds, strata=False)
    assert all(r.prevalence is None and r.rank is None for r in t.rows)
    assert t.themes == () and all(r.quotes == () for r in t.rows)
    back = GrievanceTable.from_dict(json.loads(json.dumps(t.to_dict(), allow_nan=False)))
    assert back == t
    assert not any(isinstance(v, float) and math.isnan(v) for v in json.dumps(t.to_dict()).split())


def test_indicator_rows_must_match_the_dataset(wave) -> None:
    _, ind = wave
    small = _wave(20, 2, 1)
    with pytest.raises(an.AnalysisError, match="indicators have 2400 rows"):
        grievance_table(small, ind)
