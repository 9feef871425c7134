"""Simulated waves in the database: form-shaped answers, ground truth, determinism."""

from __future__ import annotations

import io
import json
import math
import re
from collections import Counter
from datetime import timedelta

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def network(db, settings, tmp_path):
    from django.contrib.auth import get_user_model

    from survey_platform.demo.network import seed_network

    settings.VAR_DIR = tmp_path
    seed_network()
    return get_user_model().objects.get(username="office")


def make_wave(office, code="SIM-1", instrument="stws-standard", days=20):
    from instruments.models import InstrumentVersion
    from survey_platform.demo.fieldwork import quota_target
    from survey_platform.fieldwork import services
    from survey_platform.network.models import Station

    version = InstrumentVersion.objects.get(instrument__code=instrument, status="published")
    now = timezone.now()
    wave = services.wave_create(
        actor=office,
        code=code,
        title="模拟",
        kind="comprehensive",
        instrument_version=version,
        opens_at=now - timedelta(days=days),
        closes_at=now + timedelta(days=10),
    )
    for station in Station.objects.all():
        services.quota_set(
            actor=office, wave=wave, station=station, target=quota_target(station.frame_size)
        )
    return services.wave_open(actor=office, wave=wave)


def simulate(wave, n, seed=3, proportional=False, now=None, **config):
    from survey_platform.demo.simulate import SimulationConfig, plan_by_quota, simulate_wave

    cfg = SimulationConfig(**config)
    plan = plan_by_quota(wave, n, cfg, proportional=proportional)
    return simulate_wave(wave, plan, seed=seed, config=cfg, now=now)


def _share(values, predicate):
    return sum(1 for v in values if predicate(v)) / len(values)


def test_large_wave_recovers_the_ground_truth(network, settings):
    from django.db.models import Count

    from survey_platform.demo.simulate import ground_truth_path, load_ground_truth
    from survey_platform.fieldwork.models import Response, StationQuota
    from survey_platform.fieldwork.quality import analysable_responses

    wave = make_wave(network)
    result = simulate(wave, 12_000, seed=11, proportional=True)
    assert Response.objects.filter(wave=wave).count() == result.responses == 12_000
    path = ground_truth_path(wave)
    assert path == settings.VAR_DIR / "ground_truth" / "SIM-1.json" and path.exists()
    truth = load_ground_truth(wave)
    assert truth["wave"] == "SIM-1" and truth["seed"] == 11
    assert truth["population_size"] == sum(s["frame_size"] for s in truth["stations"].values())
    # Quotas hold the simulated completes.
    completes = dict(
        Response.objects.filter(wave=wave, status="complete")
        .values_list("station_id")
        .annotate(n=Count("id"))
    )
    for quota in StationQuota.objects.filter(wave=wave):
        assert quota.completes == completes.get(quota.station_id, 0)
    # The quality flags were computed, and catch the planted speeders and straight-liners.
    flags = list(
        Response.objects.filter(wave=wave, status="complete").values_list(
            "quality_flags", flat=True
        )
    )
    assert sum("speeder" in f for f in flags) >= 0.8 * truth["sample"]["speeders"]
    assert sum("straightliner" in f for f in flags) >= truth["sample"]["straightliners"]
    assert sum("duplicate" in f for f in flags) >= 0.8 * truth["sample"]["duplicates"]
    # Simple unweighted estimates on the analysable responses (a self-weighting sample)
    # land within sampling error of the population values.
    answers = list(analysable_responses(wave).values_list("answers", flat=True))
    n = len(answers)
    assert n > 10_000

    def close(estimate, true, sd):
        assert abs(estimate - true) < 4 * sd / math.sqrt(n) + 0.004, (estimate, true)

    for code, values in truth["grievances"].items():
        p = values["overall"]
        close(_share(answers, lambda a, c=code: c in a.get("J1", [])), p, math.sqrt(p * (1 - p)))
    hours = np.array([a["B1"] for a in answers], dtype=float)
    close(hours.mean(), truth["indicators"]["hours_mean"]["overall"], hours.std())
    for name, code, wanted in (
        ("evaluation_unfit_share", "D1", ("4", "5")),
        ("income_dissatisfied_share", "C3", ("4", "5")),
    ):
        p = truth["indicators"][name]["overall"]
        close(_share(answers, lambda a, c=code, w=wanted: a[c] in w), p, math.sqrt(p * (1 - p)))
    p = truth["indicators"]["money_pressure_share"]["overall"]
    close(_share(answers, lambda a: "1" in a["G1"]), p, math.sqrt(p * (1 - p)))


def test_responses_look_like_what_the_respondent_form_stores(network):
    from instruments.selectors import schema_of
    from instruments.validation import shown_answers, validate_answers
    from survey_platform.fieldwork.models import Response, field_day_start

    wave = make_wave(network, days=25)
    simulate(wave, 2500, seed=4)
    schema = schema_of(wave.instrument_version)
    pages = [p.code for p in schema.pages()]
    now = timezone.now()
    responses = list(Response.objects.filter(wave=wave))
    statuses = {r.status for r in responses}
    assert statuses == {"complete", "partial"}
    for r in responses:
        assert r.resume_hash is None and r.instrument_version_id == wave.instrument_version_id
        assert shown_answers(schema, r.answers)[1] == r.answers  # nothing for hidden items
        # Days only, as the respondent form stores them: every time is a local midnight.
        assert field_day_start(wave.opens_at) <= r.started_at <= r.updated_at <= now
        for moment in (r.started_at, r.updated_at, r.submitted_at):
            assert moment is None or moment == field_day_start(moment), moment
        assert list(r.page_seconds) == pages[: len(r.page_seconds)]
        assert r.last_page == list(r.page_seconds)[-1]
        if r.status == "complete":
            assert not validate_answers(schema, r.answers), r.answers
            assert r.submitted_at == r.updated_at and r.submission_id is not None
            assert r.duration_seconds == sum(r.page_seconds.values())
            assert r.last_page == "K"
        else:
            assert r.submitted_at is None and r.duration_seconds is None
            assert r.last_page != "K" and "K1" not in r.answers and "K2" not in r.answers
            answered_pages = {schema.owner_of(code).group for code in r.answers}
            assert answered_pages <= set(r.page_seconds) | {"E_proj"}
        for code in ("K1", "K2", "J1_other", "A5_other", "F6_other"):
            text = r.answers.get(code)
            if text is not None:
                assert isinstance(text, str) and CJK.search(text)
                assert text.encode("utf-8").decode("utf-8") == text
        for key, value in r.answers.items():
            item = schema.owner_of(key)
            if item.type.value in ("multiple", "ranking") and key == item.code:
                assert isinstance(value, list) and all(isinstance(v, str) for v in value)
            elif item.type.value in ("integer", "year"):
                assert isinstance(value, int)
            elif item.type.value == "decimal":
                assert isinstance(value, float)
            else:
                assert isinstance(value, str)
    # Matrix rows are separate keys, skip logic follows E1 and G6.
    complete = [r.answers for r in responses if r.status == "complete"]
    assert all("D2" not in a and "D2_r1" in a for a in complete)
    assert all(
        ("E2" in a) == (a["E1"] == "1") and ("E7" in a) == (a["E1"] == "2") for a in complete
    )
    assert all(("G7" in a) == (a["G6"] == "2") for a in complete)
    assert 0.05 < _share(complete, lambda a: "C1" not in a) < 0.35  # income often skipped
    written = [a["K1"] for a in complete if "K1" in a]
    assert 0.25 < len(written) / len(complete) < 0.5 and len(set(written)) > 0.6 * len(written)
    # Submissions spread over the fieldwork days (replaces the check of the hours of the
    # day: a response keeps its day only, so there are no hours to check).
    local = [timezone.localtime(r.submitted_at) for r in responses if r.submitted_at]
    assert all((t.hour, t.minute, t.second, t.microsecond) == (0, 0, 0, 0) for t in local)
    days = Counter(t.date() for t in local)
    assert len(days) >= 15
    assert max(days.values()) < 0.25 * len(local)  # no day takes most of the fieldwork
    assert min(days) >= timezone.localtime(wave.opens_at).date()


def test_same_seed_same_data(network):
    from survey_platform.demo.simulate import ground_truth_path
    from survey_platform.fieldwork.models import Response, StationQuota

    wave = make_wave(network)
    # The fieldwork of an open wave ends "now": fix the clock, or answers that would lie in
    # the future are moved to slightly different past times on each run.
    clock = timezone.now()

    def snapshot():
        return list(
            Response.objects.filter(wave=wave)
            .order_by("station_id", "submitted_at", "updated_at", "id")
            .values_list(
                "station_id", "status", "answers", "page_seconds", "started_at", "submitted_at",
                "duration_seconds", "submission_id", "via_open_link", "language", "quality_flags",
            )
        )  # fmt: skip

    def again(seed):
        Response.objects.filter(wave=wave).delete()
        StationQuota.objects.filter(wave=wave).update(completes=0)
        simulate(wave, 1200, seed=seed, now=clock)
        return snapshot()

    first = again(21)
    truth = ground_truth_path(wave).read_text()
    assert again(21) == first
    assert ground_truth_path(wave).read_text() == truth
    assert again(22) != first


def test_personal_data_rate_is_as_configured(network):
    from survey_platform.demo.simulate import load_ground_truth
    from survey_platform.demo.simulate.personal_data import (
        find_personal_data,
        id_checksum_ok,
        is_fictional_email,
        is_fictional_phone,
    )
    from survey_platform.fieldwork.models import Response

    wave = make_wave(network)
    simulate(wave, 4000, seed=8, personal_data_rate=0.2)
    texts = [
        a[code]
        for a in Response.objects.filter(wave=wave).values_list("answers", flat=True)
        for code in ("K1", "K2")
        if code in a
    ]
    with_data = 0
    for text in texts:
        found = find_personal_data(text)
        with_data += bool(found)
        assert all(is_fictional_phone(p) for p in found.get("phone", []))
        assert all(is_fictional_email(e) for e in found.get("email", []))
        assert not any(id_checksum_ok(i) for i in found.get("id", []))
    rate = with_data / len(texts)
    assert abs(rate - 0.2) < 4 * math.sqrt(0.2 * 0.8 / len(texts)), rate
    sample = load_ground_truth(wave)["sample"]
    assert sample["open_answers"] == len(texts)
    assert sample["open_answers_with_personal_data"] == with_data


def test_quick_survey_wave_has_only_its_items(network):
    from instruments.selectors import schema_of
    from survey_platform.demo.simulate import load_ground_truth
    from survey_platform.fieldwork.models import Response

    wave = make_wave(network, code="SIM-Q", instrument="stws-quick")
    simulate(wave, 800, seed=2)
    codes = set(schema_of(wave.instrument_version).answer_codes())
    for answers in Response.objects.filter(wave=wave).values_list("answers", flat=True):
        assert set(answers) <= codes
    truth = load_ground_truth(wave)
    assert set(truth["distributions"]) <= codes and "J1" in truth["distributions"]
    assert "project_share" not in truth["indicators"]


def test_refusals(network, small_definition):
    from instruments import services as instrument_services
    from survey_platform.demo.simulate import SimulationError
    from survey_platform.fieldwork import services
    from survey_platform.fieldwork.models import Response
    from survey_platform.network.models import Station

    wave = make_wave(network)
    simulate(wave, 300)
    before = Response.objects.count()
    with pytest.raises(SimulationError):
        simulate(wave, 300)  # a wave with responses is never filled twice
    instrument = instrument_services.instrument_create(actor=network, code="other", name="其他")
    version = instrument_services.version_publish(
        actor=network,
        version=instrument_services.version_create(
            actor=network, instrument=instrument, definition=small_definition
        ),
    )
    now = timezone.now()
    other = services.wave_create(
        actor=network, code="SIM-X", title="x", kind="quick", instrument_version=version,
        opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=3),
    )  # fmt: skip
    services.quota_set(actor=network, wave=other, station=Station.objects.first(), target=5)
    with pytest.raises(SimulationError):
        simulate(other, 50)  # a questionnaire the model does not know
    assert Response.objects.count() == before


def test_simulate_wave_command(network, settings):
    from survey_platform.fieldwork.models import Response, Wave

    out, err = io.StringIO(), io.StringIO()
    call_command("simulate_wave", wave="CMD-1", responses=900, seed=5, stdout=out, stderr=err)
    wave = Wave.objects.get(code="CMD-1")
    assert wave.status == "closed" and Response.objects.filter(wave=wave).count() == 900
    assert "Simulated 900 responses" in out.getvalue()
    assert "simulate CMD-1 [" in err.getvalue() and "900/900" in err.getvalue()
    assert (settings.VAR_DIR / "ground_truth" / "CMD-1.json").exists()
    with pytest.raises(CommandError, match="already has responses"):
        call_command("simulate_wave", wave="CMD-1", responses=50, stdout=out, stderr=err)
    assert Response.objects.filter(wave=wave).count() == 900
    with pytest.raises(CommandError, match="Unknown shift"):
        call_command("simulate_wave", wave="CMD-1", responses=50, shift=["nonsense=1"],
                     replace=True, stdout=out, stderr=err)  # fmt: skip
    assert Response.objects.filter(wave=wave).count() == 900
    call_command("simulate_wave", wave="CMD-1", responses=400, seed=5, replace=True,
                 shift=["G04=0.5", "money=0.2"], stdout=out, stderr=err)  # fmt: skip
    assert Response.objects.filter(wave=wave).count() == 400
    scenario = json.loads((settings.VAR_DIR / "ground_truth" / "CMD-1.json").read_text())[
        "scenario"
    ]
    assert scenario["grievance_shift"] == {"G04": 0.5} and scenario["factor_shift"] == {
        "money": 0.2
    }
