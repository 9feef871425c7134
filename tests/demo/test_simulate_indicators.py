"""The simulator's grievance truth without a database: the population's answers coded as
the loader codes them, the taxonomy's rules applied by the platform's own engine, the
open answers' generating codes, and scenarios that move only what they name."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from analysis import dataset_from_answers
from analysis.grievances import load_taxonomy, parse_taxonomy
from analysis.grievances.taxonomy import default_path
from instruments.standard import load_quick, load_standard
from survey_platform.demo.fieldwork import CHANGES
from survey_platform.demo.simulate import BASELINE, Scenario, SimulationConfig
from survey_platform.demo.simulate.answers import generate_standard
from survey_platform.demo.simulate.indicators import (
    population_dataset,
    population_indicators,
    text_indicators,
)
from survey_platform.demo.simulate.model import Draw, calibration, reference_frames
from survey_platform.demo.simulate.open_text import TOPICS, plan_answers
from survey_platform.demo.simulate.population import build_population
from survey_platform.demo.simulate.sample import plan_open_answers
from survey_platform.demo.simulate.truth import compute_truth


@cache
def _population():
    return build_population(reference_frames()[:6])


def _draw(scenario: Scenario = BASELINE, seed: int = 3):
    pop = _population()
    rng = np.random.default_rng(seed)
    cols = generate_standard(Draw(pop, rng, scenario, calibration(generate_standard)))
    return pop, cols, rng


def _answers(schema, cols, n):
    """The population's answers as the respondent form stores them (hidden: absent)."""
    codes = [c for c in schema.answer_codes() if c in cols]
    values = {c: cols[c].to_python(cols[c].visible(n)) for c in codes}
    return [{c: values[c][i] for c in codes if values[c][i] is not None} for i in range(n)]


@pytest.mark.parametrize("load", [load_standard, load_quick])
def test_population_dataset_codes_answers_as_the_loader_does(load):
    schema = load()
    pop, cols, _rng = _draw()
    ours = population_dataset(schema, cols, pop)
    loaded = dataset_from_answers(
        schema, _answers(schema, cols, pop.size), {"station": pop.station.astype(str)}
    )
    items = [v.code for v in loaded.codebook.closed()]
    assert items and set(items) <= set(ours.columns)
    for code in items:
        a = np.asarray(ours[code], dtype=np.float64)
        b = np.asarray(loaded[code], dtype=np.float64)
        assert np.array_equal(a, b, equal_nan=True), code
    assert ours.n == pop.size and np.allclose(ours.weights, pop.weight)


def test_population_indicators_apply_the_taxonomy_rules():
    schema = load_standard()
    pop, cols, _rng = _draw()
    tax = load_taxonomy()
    ind = population_indicators(schema, cols, pop, {}, tax)
    g06 = tax.codes.index("G06")
    j1 = cols["J1"].values[:, cols["J1"].options.index("G06")]
    b8_first = cols["B8"].values == cols["B8"].options.index("1")
    assert np.array_equal(ind.closed[:, g06], (j1 | b8_first).astype(float))
    assert (b8_first & ~j1).any()  # the rule adds people J1 alone misses
    assert np.array_equal(ind.values, ind.closed)  # no open answers: closed items only
    # The truth reads the taxonomy: drop G06's B8 rule and only J1 is left.
    text = default_path().read_text("utf-8")
    edited = text.replace('      - {item: B8, op: in, value: ["1"]}\n', "")
    assert edited != text
    narrow = population_indicators(schema, cols, pop, {}, parse_taxonomy(edited))
    assert np.array_equal(narrow.closed[:, g06], j1.astype(float))


def test_text_part_takes_the_generating_codes():
    tax = load_taxonomy()
    own = np.zeros((4, len(TOPICS)), dtype=bool)
    own[:, TOPICS.index("G02")] = True
    rng = np.random.default_rng(0)
    plans = plan_answers(
        rng, own, np.array([True, True, True, False]), np.zeros(4, dtype=bool), empty_share=0
    )
    text = text_indicators(tax, {"K1": plans}, 4)
    assert np.isnan(text[3]).all()  # wrote nothing: the text says nothing
    g00 = tax.codes.index("G00")
    assert np.isnan(text[:, g00]).all()  # G00 takes no value from the text
    about = plans.about()
    for i in range(3):
        for j, code in enumerate(tax.codes):
            if code != "G00":
                assert text[i, j] == float(about[i, TOPICS.index(code)]), (i, code)
        negated = plans.negated[i]
        if negated >= 0:
            assert text[i, tax.codes.index(TOPICS[negated])] == 0


def test_planned_answers_mostly_follow_own_difficulties():
    n = 20_000
    rng = np.random.default_rng(4)
    own = np.zeros((n, len(TOPICS)), dtype=bool)
    own[:, [TOPICS.index("G01"), TOPICS.index("G13")]] = True
    personal = rng.uniform(size=n) < 0.05
    plans = plan_answers(rng, own, rng.uniform(size=n) < 0.5, personal)
    substantive = plans.writes & (plans.kind == 0)
    assert 0.84 < substantive.sum() / plans.writes.sum() < 0.92  # 8% empty, 4% off-topic
    assert (plans.kind[plans.personal] == 0).all()
    about = plans.about()
    assert not about[~plans.writes].any()
    on_own = about[:, [TOPICS.index("G01"), TOPICS.index("G13")]].any(axis=1)
    assert on_own[substantive].mean() > 0.85
    two = (plans.topics >= 0).sum(axis=1) == 2
    assert (plans.topics[two, 0] != plans.topics[two, 1]).all()
    negated = plans.negated >= 0
    assert negated.any() and (plans.negated[negated] != plans.topics[negated, 0]).all()


def _changed_columns(a, b) -> set[str]:
    return {
        code
        for code in a
        if not np.array_equal(a[code].values, b[code].values)
        or (a[code].shown is not None and not np.array_equal(a[code].shown, b[code].shown))
    }


def test_item_shift_moves_only_that_item():
    _pop, base, _ = _draw()
    _pop, shifted, _ = _draw(Scenario(item_shift={"B8": -0.5}))
    assert _changed_columns(base, shifted) == {"B8"}
    first = base["B8"].options.index("1")
    assert (shifted["B8"].values == first).mean() < (base["B8"].values == first).mean() - 0.05


def test_demo_changes_move_only_the_items_of_g06_and_g13():
    pop, base, _rng = _draw()
    _pop, changed, _rng = _draw(CHANGES)
    assert _changed_columns(base, changed) == {"J1", "B8", "G7", "G9"}
    assert not CHANGES.factor_shift
    schema, tax = load_standard(), load_taxonomy()
    before = population_indicators(schema, base, pop, {}, tax).values.mean(axis=0)
    after = population_indicators(schema, changed, pop, {}, tax).values.mean(axis=0)
    delta = dict(zip(tax.codes, after - before, strict=True))
    assert delta.pop("G06") < -0.08 and delta.pop("G13") > 0.08
    assert max(abs(v) for v in delta.values()) < 0.006, delta


def test_truth_records_the_full_indicator_and_its_sources():
    schema = load_standard()
    pop, cols, rng = _draw()
    plans = plan_open_answers(rng, cols, pop.size, SimulationConfig())
    truth = compute_truth(pop, cols, schema, plans)
    tax = load_taxonomy()
    assert truth["taxonomy"] == {"version": tax.version, "fingerprint": tax.fingerprint}
    full, j1 = truth["grievance_indicators"], truth["grievances"]
    sources = truth["grievance_indicator_sources"]
    assert set(full) == set(tax.codes)
    for code in tax.ranked_codes:
        value = full[code]["overall"]
        assert value >= j1[code]["overall"], code
        assert value == pytest.approx(
            sources[code]["closed"] + sources[code]["text_only"], abs=2e-6
        ), code
        assert 0 < sources[code]["text_only"] < 0.02, code
        assert set(full[code]["by_sector"]) == set(j1[code]["by_sector"])
    ranking = truth["grievance_indicator_ranking"]
    assert sorted(ranking) == sorted(tax.ranked_codes)
    assert [full[c]["overall"] for c in ranking] == sorted(
        (full[c]["overall"] for c in ranking), reverse=True
    )
    # The quick survey's truth uses only its items (no B8: G06 is J1 or an open answer).
    quick = compute_truth(pop, cols, load_quick(), plans)
    assert quick["grievance_indicator_sources"]["G06"]["closed"] == pytest.approx(
        j1["G06"]["overall"], abs=1e-6
    )
