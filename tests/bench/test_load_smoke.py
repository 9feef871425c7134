"""bench/load.py's virtual respondent, driven through Django's test client, so the load
test cannot silently rot: the simulated answers must pass the questionnaire's validator
page by page, and the client's page POSTs must complete and submit the standard
questionnaire exactly once (with CSRF checks on, as in production)."""

from __future__ import annotations

import copy
import random
from collections import Counter
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from analysis.simulate import simulate_answers
from bench._load_client import Reply, Tally, TransportError, complete, complete_js, page_states
from bench._load_plan import (
    RespondentPlan,
    answers_checksum,
    build_plans,
    page_fields,
    repair,
)
from instruments.standard import load_standard
from instruments.validation import validate_answers
from survey_platform.fieldwork import codes, invitations, services
from survey_platform.fieldwork.models import Response, StationQuota
from survey_platform.fieldwork.respondent_views import KEY_COOKIE


class DjangoTransport:
    """The bench client's transport over Django's test client (same encoded bodies)."""

    def __init__(self) -> None:
        self.client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.posts: list[str] = []
        self.paths: list[str] = []

    @property
    def cookies_after_submit(self) -> str | None:
        key = self.client.cookies.get(KEY_COOKIE)
        return None if key is None else key.value

    def request(self, method: str, path: str, fields=None, *, json: bool = False) -> Reply:
        self.paths.append(path)
        extra = {"HTTP_ACCEPT": "application/json"} if json else {}
        if fields is None:
            reply = self.client.get(path, **extra)
        else:
            self.posts.append(dict(fields)["action"])
            body = urlencode(fields)
            reply = self.client.generic(
                "POST", path, body, content_type="application/x-www-form-urlencoded", **extra
            )
        return Reply(reply.status_code, reply.get("Location", ""), reply.content.decode())


class LosesFirstSubmitReply(DjangoTransport):
    """The submit reaches the server and is stored, then the connection is cut: the reply
    never arrives, so neither does its Set-Cookie (the deleted respondent key)."""

    def request(self, method: str, path: str, fields=None, *, json: bool = False) -> Reply:
        cookies = copy.deepcopy(self.client.cookies)
        reply = super().request(method, path, fields, json=json)
        if fields is not None and self.posts.count("submit") == 1 and self.posts[-1] == "submit":
            self.client.cookies = cookies
            raise TransportError("ConnectionResetError: cut after the server answered")
        return reply


@pytest.fixture
def load_wave(office, standard_version, station_a, station_b):
    now = timezone.now()
    wave = services.wave_create(
        actor=office,
        code="LOAD-T",
        title="负载测试",
        kind="comprehensive",
        instrument_version=standard_version,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    quotas = [
        services.quota_set(actor=office, wave=wave, station=s, target=5)
        for s in (station_a, station_b)
    ]
    services.wave_open(actor=office, wave=wave)
    # The link tokens of freshly issued codes: the database keeps only their hashes.
    tokens = [
        (code.token, quota.station_id)
        for quota in quotas
        for code in invitations.codes_issue(actor=office, quota=quota, count=1)
    ]
    return wave, tokens


def _no_sleep(seconds: float) -> None:
    pass


def test_repair_makes_simulated_answers_valid_page_by_page():
    instrument = load_standard()
    raw = list(simulate_answers(instrument, 20, seed=5))
    assert any(validate_answers(instrument, doc) for doc in raw)  # why repair exists
    rng = random.Random(5)
    for doc in raw:
        fixed = repair(instrument, doc, rng)
        for page in instrument.pages():
            assert validate_answers(instrument, fixed, page=page.code) == {}
        fields = page_fields(instrument, fixed)
        for page in instrument.pages():
            codes = {code for item in page.items for code in item.answer_codes}
            assert {name for name, _value in fields[page.code]} <= codes


def test_simulated_respondent_completes_standard_questionnaire(load_wave):
    wave, tokens = load_wave
    plan = build_plans(load_standard(), tokens[:1], seed=3)[0]
    tally = Tally()
    transport = DjangoTransport()
    assert complete(transport, plan, tally=tally, sleep=_no_sleep), tally.errors
    pages = len(load_standard().pages())
    kinds = Counter(kind for kind, *_rest in tally.records)
    assert kinds == {"start": 1, "page": pages, "save": pages - 1, "submit": 1}
    assert tally.retries == 0 and tally.errors == []
    stored = Response.objects.get(wave=wave)
    assert stored.status == "complete" and str(stored.submission_id) == plan.submission_id
    assert answers_checksum(stored.answers) == plan.checksum
    assert StationQuota.objects.get(wave=wave, station_id=plan.station).completes == 1
    assert codes.invitation_by_token(plan.token).state == "completed"
    assert transport.cookies_after_submit == ""  # the respondent key was deleted
    # No request after the entry named the code.
    assert all(plan.token not in path for path in transport.paths[1:])


def test_retried_submit_is_acknowledged_and_stored_once(load_wave):
    wave, tokens = load_wave
    plan = build_plans(load_standard(), tokens[1:], seed=4)[0]
    tally = Tally()
    transport = LosesFirstSubmitReply()
    assert complete(transport, plan, tally=tally, sleep=_no_sleep), tally.errors
    assert transport.posts.count("submit") == 2 and tally.retries == 1
    assert Response.objects.filter(wave=wave, status="complete").count() == 1
    assert StationQuota.objects.get(wave=wave, station_id=plan.station).completes == 1


def test_refused_page_fails_for_good_and_submits_nothing(load_wave):
    wave, tokens = load_wave
    good = build_plans(load_standard(), tokens[:1], seed=3)[0]
    # An answer to a question of another page: the server refuses the form (400).
    pages = {**good.pages, "A": [*good.pages["A"], ("B1", "40")]}
    plan = RespondentPlan(good.token, good.station, good.submission_id, good.answers, pages)
    tally = Tally()
    assert not complete(DjangoTransport(), plan, tally=tally, sleep=_no_sleep)
    assert tally.errors == ["POST save: HTTP 400 (expected 302)"]
    assert not Response.objects.filter(wave=wave).exists()
    assert StationQuota.objects.get(wave=wave, station_id=plan.station).completes == 0


def test_javascript_respondent_saves_pages_as_json_and_submits_once(load_wave):
    """The load test's default flow: one page view, then a JSON save per shown page."""
    wave, tokens = load_wave
    plan = build_plans(load_standard(), tokens[:1], seed=3)[0]
    transport = DjangoTransport()
    tally = Tally()
    assert complete_js(transport, plan, tally=tally, sleep=_no_sleep), tally.errors
    kinds = Counter(kind for kind, *_rest in tally.records)
    shown = len(plan.shown_pages)
    assert kinds == {"start": 1, "page": 1, "save": shown - 1, "submit": 1}
    assert transport.posts == ["next"] * (shown - 1) + ["submit"]
    stored = Response.objects.get(wave=wave)
    assert stored.status == "complete" and str(stored.submission_id) == plan.submission_id
    assert answers_checksum(stored.answers) == plan.checksum
    assert StationQuota.objects.get(wave=wave, station_id=plan.station).completes == 1


def test_javascript_retried_submit_is_acknowledged_and_stored_once(load_wave):
    wave, tokens = load_wave
    plan = build_plans(load_standard(), tokens[1:], seed=4)[0]
    transport = LosesFirstSubmitReply()
    tally = Tally()
    assert complete_js(transport, plan, tally=tally, sleep=_no_sleep), tally.errors
    assert transport.posts.count("submit") == 2 and tally.retries == 1
    assert Response.objects.filter(wave=wave, status="complete").count() == 1
    assert StationQuota.objects.get(wave=wave, station_id=plan.station).completes == 1


def test_page_states_reads_each_sections_signed_state():
    html = (
        '<section class="survey-page" data-page="A" data-number="1" data-form-state="s.A">'
        '<section class="survey-page" data-form-state="s.B" data-page="B" hidden>'
        '<section class="other">'
    )
    assert page_states(html) == {"A": "s.A", "B": "s.B"}
