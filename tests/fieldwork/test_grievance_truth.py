"""Acceptance (issue 7): the grievance table of simulated waves recovers the ground truth.

Two comprehensive waves of the demo network are simulated with fixed seeds, each with
``RESPONSES`` rows allocated in proportion to the stations' frame sizes:

* ``GT-BASE`` — the baseline scenario;
* ``GT-DEMO`` (previous = GT-BASE) — the demo's ``CHANGES`` scenario: G06 falls and G13
  rises by about eleven points, nothing else moves.

The tables go through the platform's own path
(:func:`survey_platform.fieldwork.grievances.wave_grievance_table`: loader, weights,
indicators, table, comparison with the previous wave).

**What the ground truth measures.** The simulator's ``grievance_indicators`` truth is the
population prevalence of the table's own indicator — J1, or one of the taxonomy's
closed-item rules (G03 also counts D1 = 4–5 …), or an open answer — computed by the same
rule engine on the population's answers (``survey_platform/demo/simulate/indicators.py``).
Its open-answer part counts the codes the answers were generated from (not the classifier:
classifying every person's answer would cost seconds per wave), so the text classifier's
errors are part of what the full-indicator tests measure. They show: the classifier gives
codes the answers were not written about — e.g. G09 where young staff are mentioned
(青年, 年轻人), G15 for 基层, G14 for 身体吃不消, G08 for 人才 — so G09 is over-estimated by
about six points, G15, G14 and G08 by one to two (z up to 7). These codes are outside
the top five and the bias is the same in both waves, so the ranking and the change tests
hold; the check of *every* code is therefore made on the closed-item part (J1 and the
rules), whose truth is recorded separately (``grievance_indicator_sources``). The J1
choice alone has its own truth (``grievances``), checked on J1-only indicators put
through the same :func:`analysis.grievances.grievance_table` (weights, design, score with
breadth, ranking).

**What moves.** ``CHANGES`` shifts G06's and G13's J1 utilities and the closed items their
rules read (B8; G7, G9), and no latent factor (``burden`` also drives G02 and G16, ``life``
the pressure item G2 behind G05). The truth confirms it: the other codes' population
values move by a few tenths of a point at most (two waves are two draws of the
population's answers) against a design-based SE of a change of 0.4–3 points, so any
other flag would be a false alarm, and none may be raised at the Benjamini–Hochberg
level. With the seeds used, G06 moves -11.0 points (p = 2e-5, BH-adjusted 1e-4) and G13
+10.7 (p = 8e-8); every other code has an adjusted p above 0.99.

Everything is built once per module inside a transaction that is rolled back; the tests
read plain data.
"""

from __future__ import annotations

import math
import time
from datetime import timedelta
from itertools import combinations
from typing import Any

import numpy as np
import pytest

# The marker makes pytest-django set up the test database even when this module runs
# alone: the module fixture below only asks for ``django_db_setup``, and without a test
# that asks for the database the connection would stay on the development database.
pytestmark = pytest.mark.django_db

RESPONSES = 16_000
SEEDS = {"GT-BASE": 71, "GT-DEMO": 73}
TOP = 5
#: The tolerance rule for the ranking: two codes may appear in the opposite order to the
#: truth only when their true prevalences differ by less than SWAP_Z standard errors of
#: the estimated difference (sqrt(se_a^2 + se_b^2), ignoring their positive covariance,
#: which makes it conservative). Applied to every pair involving an estimated or a true
#: top-5 code, so a 5th/6th swap is covered as well.
SWAP_Z = 2.0
MOVED = {"G06": -1, "G13": +1}
ALPHA = 0.05
#: The deliberate changes are about eleven points in the population.
MOVED_BY = 0.09
#: Any other code moves by less than this in the population. Not exactly zero: two waves
#: are two draws of the population's answers (individual noise, each station's drift), so
#: a code's population value moves by a few tenths of a point by chance — a tenth of the
#: SE of a change between two samples of 16,000 (2–3 points with stations as PSUs).
STILL = 0.01


class _Rollback(Exception):
    pass


def _j1_values(ds, tax) -> np.ndarray:
    """Indicators from J1 alone (the definition of the ``grievances`` truth)."""
    values = np.full((ds.n, len(tax.codes)), np.nan)
    for j, code in enumerate(tax.codes):
        col = f"J1__{code}"
        if col in ds.columns:
            v = np.asarray(ds[col])
            values[:, j] = np.where(v >= 0, v, np.nan)
    return values


def _shares(ds, values, tax) -> dict[str, tuple[float, float]]:
    """Weighted share and its design-based SE of each code (the table's design)."""
    from analysis import mean

    design = ds.design(lonely_psu="adjust")
    est = mean(design, {c: values[:, j] for j, c in enumerate(tax.codes)})
    return dict(zip(est.variables, zip(est.estimate, est.se, strict=True), strict=True))


def _table_of(ds, values, tax, code):
    """The grievance table of ``ds`` on the given indicator values (no open answers)."""
    from analysis.grievances import Indicators, grievance_table

    n, m = values.shape
    empty = np.full((n, m), np.nan)
    indicators = Indicators(
        codes=tax.codes,
        ranked=tax.ranked_codes,
        values=values,
        closed=values,
        text=empty,
        text_scores=empty,
        text_source=np.full((n, m), -1, dtype=np.int16),
        text_items=(),
        unclassified=np.zeros((n, 0), dtype=bool),
    )
    return grievance_table(
        ds, indicators, taxonomy=tax, wave=code, lonely_psu="adjust", themes=False, models=False
    )


@pytest.fixture(scope="module")
def result(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Any]:
    from django.db import transaction
    from django.test import override_settings
    from django.utils import timezone

    var = tmp_path_factory.mktemp("grievance_truth")
    out: dict[str, Any] = {}
    started = time.perf_counter()
    with django_db_blocker.unblock(), override_settings(VAR_DIR=var):
        try:
            with transaction.atomic():
                from django.contrib.auth import get_user_model

                from analysis.grievances import closed_indicators, load_taxonomy
                from instruments.models import InstrumentVersion
                from survey_platform.demo.fieldwork import CHANGES
                from survey_platform.demo.network import seed_network
                from survey_platform.demo.simulate import (
                    BASELINE,
                    SimulationConfig,
                    load_ground_truth,
                    plan_by_quota,
                    simulate_wave,
                )
                from survey_platform.fieldwork import services
                from survey_platform.fieldwork.dataset import wave_dataset
                from survey_platform.fieldwork.grievances import wave_grievance_table
                from survey_platform.network.models import Region, Sector, Station
                from survey_platform.network.reference import ensure_reference_data

                # A transactional test run earlier may have flushed the reference data.
                ensure_reference_data(Region, Sector)
                seed_network()
                office = get_user_model().objects.get(username="office")
                version = InstrumentVersion.objects.get(
                    instrument__code="stws-standard", status="published"
                )
                now = timezone.now()
                waves = {}
                for code, scenario, opens, previous in (
                    ("GT-BASE", BASELINE, 60, None),
                    ("GT-DEMO", CHANGES, 20, "GT-BASE"),
                ):
                    wave = services.wave_create(
                        actor=office,
                        code=code,
                        title=code,
                        kind="comprehensive",
                        instrument_version=version,
                        opens_at=now - timedelta(days=opens),
                        closes_at=now + timedelta(days=10),
                        previous=waves.get(previous),
                    )
                    for station in Station.objects.filter(active=True, frame_size__gt=0):
                        services.quota_set(actor=office, wave=wave, station=station, target=50)
                    wave = services.wave_open(actor=office, wave=wave)
                    config = SimulationConfig()
                    plan = plan_by_quota(wave, RESPONSES, config, proportional=True)
                    simulate_wave(wave, plan, seed=SEEDS[code], scenario=scenario, config=config)
                    waves[code] = wave
                out["simulated"] = time.perf_counter() - started
                tax = load_taxonomy()
                for code, wave in waves.items():
                    ds = wave_dataset(wave)
                    out[code] = {
                        "truth": load_ground_truth(wave),
                        "table": wave_grievance_table(wave),
                        "j1": _table_of(ds, _j1_values(ds, tax), tax, code),
                        "closed": _shares(ds, closed_indicators(ds, tax).values, tax),
                    }
                out["seconds"] = time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass
    return out


def _true(truth: dict[str, Any], key: str = "grievance_indicators") -> dict[str, float]:
    return {c: v["overall"] for c, v in truth[key].items() if c != "G00"}


def _order_problems(table, true: dict[str, float]) -> list[str]:
    """Pairs ordered against the truth beyond the tolerance rule (see SWAP_Z)."""
    est = [r.code for r in table.ranked]
    truth_order = sorted(true, key=lambda c: -true[c])
    focus = set(est[:TOP]) | set(truth_order[:TOP])
    rows = {r.code: r for r in table.ranked}
    problems = []
    for a, b in combinations(est, 2):  # a is ranked above b in the estimate
        if not ({a, b} & focus) or true[a] >= true[b]:
            continue
        se = math.hypot(rows[a].se, rows[b].se)
        gap = true[b] - true[a]
        if gap >= SWAP_Z * se:
            problems.append(f"{a} above {b}: true {true[a]:.4f} < {true[b]:.4f}, se {se:.4f}")
    return problems


def _describe(table, true: dict[str, float]) -> str:
    return "; ".join(
        f"{r.rank}. {r.code} {r.prevalence:.3f}±{r.se:.3f} (true {true[r.code]:.3f})"
        for r in table.ranked
    )


def _changes(result) -> dict[str, tuple[float, Any]]:
    """Per code: the true change from GT-BASE to GT-DEMO and the table's change test."""
    before = _true(result["GT-BASE"]["truth"])
    after = _true(result["GT-DEMO"]["truth"])
    return {
        r.code: (after[r.code] - before[r.code], r.change)
        for r in result["GT-DEMO"]["table"].rows
        if r.code in after
    }


@pytest.mark.parametrize("code", ["GT-BASE", "GT-DEMO"])
def test_top5_ranking_recovers_the_true_full_indicator_ranking(result, code):
    wave = result[code]
    true = _true(wave["truth"])
    table = wave["table"]
    est = [r.code for r in table.ranked[:TOP]]
    truth_top = sorted(true, key=lambda c: -true[c])[:TOP]
    problems = _order_problems(table, true)
    assert not problems, (est, truth_top, problems, _describe(table, true))


@pytest.mark.parametrize("code", ["GT-BASE", "GT-DEMO"])
def test_top_codes_are_estimated_within_sampling_error(result, code):
    wave = result[code]
    true = _true(wave["truth"])
    for r in wave["table"].ranked[:TOP]:
        assert abs(r.prevalence - true[r.code]) < 3 * r.se + 0.005, (r.code, r.prevalence)


@pytest.mark.parametrize("code", ["GT-BASE", "GT-DEMO"])
def test_the_closed_item_part_of_every_code_is_estimated_within_sampling_error(result, code):
    """The indicator's closed-item part (J1 and the taxonomy's rules), estimated from the
    wave, matches the population's for every code: the truth applies the same rules to
    the same answers as the loader codes them."""
    wave = result[code]
    true = wave["truth"]["grievance_indicator_sources"]
    for grievance, (estimate, se) in wave["closed"].items():
        assert abs(estimate - true[grievance]["closed"]) < 3.5 * se, (grievance, estimate, se)


@pytest.mark.parametrize("code", ["GT-BASE", "GT-DEMO"])
def test_j1_only_ranking_matches_the_j1_truth(result, code):
    wave = result[code]
    true = _true(wave["truth"], "grievances")
    table = wave["j1"]
    est = [r.code for r in table.ranked[:TOP]]
    truth_top = sorted(true, key=lambda c: -true[c])[:TOP]
    problems = _order_problems(table, true)
    assert not problems, (est, truth_top, problems, _describe(table, true))
    for r in table.ranked[:TOP]:
        assert abs(r.prevalence - true[r.code]) < 3 * r.se + 0.005, (r.code, r.prevalence)


def test_the_full_indicator_truth_is_wider_than_j1(result):
    """The truth of the full indicator contains J1 (a code chosen in J1 is always named),
    and was computed with the taxonomy the table used."""
    for code in ("GT-BASE", "GT-DEMO"):
        taxonomy = result[code]["truth"]["taxonomy"]
        assert taxonomy["version"] == result[code]["table"].taxonomy_version
        full = _true(result[code]["truth"])
        j1 = _true(result[code]["truth"], "grievances")
        assert all(full[c] >= j1[c] for c in full), code
        assert full["G03"] > j1["G03"] + 0.2  # evaluation misfit (D1, D2) is wide-spread


def test_deliberate_changes_are_significant_in_the_right_direction(result):
    table = result["GT-DEMO"]["table"]
    assert table.previous_wave == "GT-BASE"
    changes = _changes(result)
    for grievance, sign in MOVED.items():
        true, change = changes[grievance]
        assert sign * true >= MOVED_BY, (grievance, true)
        assert change is not None and change.significant, (grievance, change)
        assert change.p_adjusted < ALPHA, (grievance, change)
        assert np.sign(change.difference) == sign, (grievance, change.difference)
        assert abs(change.difference - true) < 3 * change.se, (grievance, true, change)


def test_no_other_code_is_flagged(result):
    changes = _changes(result)
    flagged = {c: ch for c, (_t, ch) in changes.items() if ch and ch.significant}
    assert set(flagged) == set(MOVED), flagged
    for code, (true, change) in changes.items():
        if code in MOVED:
            continue
        assert abs(true) < STILL, (code, true)  # a true null in the population
        assert change is not None and change.p_adjusted >= ALPHA, (code, change)
        # The estimated change is noise around zero of the size its SE says.
        assert abs(change.difference) < 3 * change.se, (code, change)
