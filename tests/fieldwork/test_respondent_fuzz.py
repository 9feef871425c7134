"""Fuzzing the respondent endpoints with malformed input: only 4xx, never a change.

Payloads: unknown question codes, wrong types, huge strings, control characters, emoji,
several values for a one-answer question, invalid UTF-8 in the body, forged or missing
form state, and random answer codes at /code/. Every response must be a 4xx (or the
page shown again with its errors, which is a 400) and the database must hold exactly what
it held before. Valid-looking answers are kept out of the generated data on purpose, so
"nothing changed" is a checkable promise.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from survey_platform.fieldwork.models import Invitation, Response
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY_TEXT = st.one_of(  # (hypothesis reprs of the 100 kB string are long: that is fine)
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cs", "Co", "So"]), max_size=40),
    st.sampled_from(["\x00", "﻿", "𠜎𠜱", "😀" * 50, "' OR 1=1 --", "<script>x</script>"]),
    st.just("x" * 100_000),
)
#: Values A1 (single: "1"/"2") and A2 (integer 0..20) can never accept.
BAD_A1 = st.one_of(NASTY_TEXT, st.sampled_from(["3", "0", "1.0", "", " 9 "])).filter(
    lambda v: v.strip() not in ("1", "2", "")
)
BAD_A2 = st.one_of(NASTY_TEXT, st.integers(min_value=21).map(str), st.just("-1")).filter(
    lambda v: not re.fullmatch(r"\s*(1?\d|20)\s*", v)
)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _state(invitation) -> list[tuple]:
    rows = Response.objects.order_by("pk").values_list("pk", "status", "answers")
    inv = Invitation.objects.filter(pk=invitation.pk).values_list("state").get()
    return [*rows, inv]


@pytest.fixture
def form(invitation_code):
    """The first page of the respondent form: its URL and its signed form state (the key
    is in the client's cookie)."""
    client = client_for(None)
    start = client.get(f"/a/{invitation_code.token}/", follow=True)
    assert start.status_code == 200 and start.redirect_chain
    url = start.redirect_chain[-1][0]
    html = start.content.decode()
    state = re.search(r'name="form_state" value="([^"]+)"', html).group(1)
    return client, url, state


@FUZZ
@given(
    extra=st.dictionaries(
        st.text(min_size=1, max_size=20).filter(lambda k: k not in {"A1", "A2", "form_state"}),
        NASTY_TEXT,
        min_size=1,
        max_size=3,
    ),
    a1=st.one_of(st.none(), BAD_A1),
)
def test_unknown_fields_are_refused(form, invitation, extra, a1):
    client, url, state = form
    before = _state(invitation)
    data = {"form_state": state, "action": "next", **extra}
    if a1 is not None:
        data["A1"] = a1
    resp = client.post(url, data)
    assert resp.status_code == 400, resp.status_code
    assert _state(invitation) == before


@FUZZ
@given(
    a1=BAD_A1,
    elapsed=st.one_of(st.none(), NASTY_TEXT, st.integers().map(str)),
    action=st.sampled_from(["next", "submit", "back", "jump"]),
    extra=st.dictionaries(st.text(min_size=1, max_size=8), NASTY_TEXT, max_size=2),
)
def test_json_saves_refuse_bad_input_with_json(form, invitation, a1, elapsed, action, extra):
    """The fetch path of form.js (same POST, ``Accept: application/json``): every refusal
    is a 4xx with a JSON body, and nothing changes."""
    import json

    client, url, state = form
    before = _state(invitation)
    data = {**extra, "form_state": state, "action": action, "A1": a1}
    if elapsed is not None:
        data["elapsed"] = elapsed
    # A browser cannot send lone surrogates (they have no UTF-8); raw bad bytes are
    # test_invalid_utf8_body's job.
    assume(all(_utf8(k) and _utf8(v) for k, v in data.items()))
    resp = client.post(url, data, HTTP_ACCEPT="application/json")
    body = json.loads(resp.content)
    if resp.status_code == 200:
        # Only "Previous" moves on with answers that do not pass; it stores nothing.
        assert action == "back" and set(body) == {"page", "url"}, (action, body)
    else:
        assert 400 <= resp.status_code < 500, resp.status_code
        assert body.get("form_error") or body.get("errors"), body
    assert _state(invitation) == before


@FUZZ
@given(a1=BAD_A1, a2=st.one_of(st.none(), BAD_A2), action=st.sampled_from(["next", "submit"]))
def test_wrong_values_are_refused(form, invitation, a1, a2, action):
    client, url, state = form
    before = _state(invitation)
    data = {"form_state": state, "action": action, "A1": a1}
    if a2 is not None:
        data["A2"] = a2
    resp = client.post(url, data)
    assert 400 <= resp.status_code < 500, resp.status_code
    assert _state(invitation) == before


@FUZZ
@given(values=st.lists(st.sampled_from(["1", "2"]), min_size=2, max_size=5))
def test_several_values_for_one_answer_question(form, invitation, values):
    client, url, state = form
    before = _state(invitation)
    resp = client.post(url, {"form_state": state, "action": "next", "A1": values})
    assert resp.status_code == 400
    assert _state(invitation) == before


@FUZZ
@given(forged=st.one_of(NASTY_TEXT, st.just("")), action=NASTY_TEXT)
def test_forged_form_state_or_action(form, invitation, forged, action):
    client, url, state = form
    before = _state(invitation)
    resp = client.post(url, {"form_state": forged, "action": "next", "A1": "1"})
    assert resp.status_code == 400
    if action not in ("next", "back", "submit"):
        resp = client.post(url, {"form_state": state, "action": action, "A1": "1"})
        assert resp.status_code == 400
    assert _state(invitation) == before


@FUZZ
@given(body=st.binary(min_size=1, max_size=200))
def test_invalid_utf8_body(form, invitation, body):
    client, url, state = form
    before = _state(invitation)
    payload = f"form_state={state}&action=next&A1=".encode() + body + b"%FF%FE&\xff\xfe=1"
    resp = client.generic("POST", url, payload, content_type="application/x-www-form-urlencoded")
    assert 400 <= resp.status_code < 500, resp.status_code
    assert _state(invitation) == before


@FUZZ
@given(key=NASTY_TEXT.filter(lambda k: "/" not in k and k.strip()), page=NASTY_TEXT)
def test_unknown_keys_and_pages(form, invitation, key, page):
    from urllib.parse import quote

    from survey_platform.fieldwork.respondent_views import KEY_COOKIE

    client, _url, _state_field = form
    before = _state(invitation)

    def seg(text: str) -> str:  # lone surrogates go out as the (invalid UTF-8) bytes
        return quote(text[:300].encode("utf-8", "surrogatepass"), safe="")

    stranger = client_for(None)
    assert stranger.get(f"/a/{seg(key)}/").status_code in (400, 404)
    # Garbage in the key cookie is no key: nothing opens.
    stranger.cookies[KEY_COOKIE] = seg(key)
    assert stranger.get("/answer/").status_code in (400, 404)
    assert stranger.post("/answer/A/", {"A1": "1"}).status_code in (400, 404)
    resp = client.post(f"/answer/{seg(page) or 'x'}/", {"A1": "1"})
    # A page that is not in the questionnaire sends the respondent back to where they are.
    assert resp.status_code in (302, 400, 404)
    assert _state(invitation) == before


@FUZZ
@given(code=NASTY_TEXT)
def test_code_entry_with_garbage(invitation_code, code):
    # Text that is not UTF-8 cannot be posted as a form field (test_invalid_utf8_body).
    assume(_utf8(code))
    cache.clear()  # the per-address limit would turn later examples into 429s
    client = client_for(None)
    resp = client.post("/code/", {"code": code})
    assert resp.status_code in (400, 404, 429) or (
        resp.status_code == 302
        and "".join(c for c in code.upper() if c.isalnum()) == invitation_code.short_code
    )
