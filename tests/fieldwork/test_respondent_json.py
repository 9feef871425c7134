"""The respondent form's JSON replies (what form.js posts with ``Accept: application/json``)
and the whole-questionnaire page they page through."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from freezegun import freeze_time

from survey_platform.fieldwork import services
from survey_platform.fieldwork.models import Invitation, Response, StationQuota
from survey_platform.fieldwork.respondent_views import KEY_COOKIE, SIGNING_SALT
from tests.fieldwork.fixtures import enter, to_page
from tests.fieldwork.test_respondent import _page_url, _state, small_definition  # noqa: F401

JSON = {"HTTP_ACCEPT": "application/json"}
SECTION = re.compile(
    r'<section class="survey-page( current)?" data-page="([^"]+)"[^>]*?'
    r'data-form-state="([^"]+)"( hidden)?>\s*<fieldset class="page-fields"( disabled)?>'
)


def _sections(html: str) -> dict[str, dict[str, object]]:
    return {
        m.group(2): {
            "current": bool(m.group(1)),
            "state": m.group(3),
            "hidden": bool(m.group(4)),
            "disabled": bool(m.group(5)),
        }
        for m in SECTION.finditer(html)
    }


def _json_post(client, url, answers, action="next", **override):
    """What form.js sends: the page's fields, its section's form state, as JSON request."""
    page = client.get(url)
    assert page.status_code == 200, page.content[:300]
    html = page.content.decode()
    code = url.rstrip("/").rsplit("/", 1)[-1]
    data = {
        "form_state": _sections(html)[code]["state"],
        "submission_id": _state(html)["submission_id"],
        "action": action,
        **answers,
        **override,
    }
    return client.post(url, {k: v for k, v in data.items() if v is not None}, **JSON)


def _signed(page: str, age: int = 0) -> str:
    return signing.dumps({"p": page, "t": int(time.time()) - age}, salt=SIGNING_SALT)


def _entered(code, **kwargs) -> Client:
    """A browser that came in through the personal link (the key is in its cookie)."""
    client = Client(**kwargs)
    enter(client, code.token)
    return client


def test_get_renders_every_page_with_only_the_current_one_enabled(invitation_code):
    client = _entered(invitation_code)
    html = client.get(_page_url("B")).content.decode()
    sections = _sections(html)
    assert list(sections) == ["A", "B"]
    assert sections["B"] == {**sections["B"], "current": True, "hidden": False, "disabled": False}
    assert sections["A"] == {**sections["A"], "current": False, "hidden": True, "disabled": True}
    for code, section in sections.items():
        state = signing.loads(section["state"], salt=SIGNING_SALT, max_age=60)
        assert state["p"] == code and abs(state["t"] - time.time()) < 60
    # The no-JavaScript form state is the current page's.
    assert signing.loads(_state(html)["form_state"], salt=SIGNING_SALT)["p"] == "B"
    assert "您目前主持科研项目吗？" in html and "每周工作小时数" in html
    # form.js resumes through /answer/ (the key is in the cookie): no code in the page.
    assert 'data-respondent="/answer/"' in html
    assert invitation_code.token not in html and invitation_code.short_code not in html
    assert 'data-page="B" data-done="/thanks/"' in html


def test_get_prefills_other_pages_with_stored_answers(invitation_code):
    client = _entered(invitation_code)
    saved = _json_post(client, _page_url("A"), {"A1": "1", "A2": "3"})
    assert saved.status_code == 200
    html = client.get(_page_url("B")).content.decode()
    assert re.search(r'name="A1" value="1" checked', html)
    assert re.search(r'name="A2"[^>]*value="3"', html)
    assert 'id="q-A2" hidden' not in html


def test_next_and_back_reply_with_the_page(invitation_code):
    client = _entered(invitation_code)
    moved = _json_post(client, _page_url("A"), {"A1": "1", "A2": "3"})
    assert moved.status_code == 200 and moved["Content-Type"] == "application/json"
    assert moved.json() == {"page": "B", "url": _page_url("B")}
    assert not moved.templates  # nothing rendered on a save
    assert Response.objects.get().answers == {"A1": "1", "A2": 3}
    back = _json_post(client, _page_url("B"), {"B1": "40"}, action="back")
    assert back.json() == {"page": "A", "url": _page_url("A")}
    assert Response.objects.get().answers == {"A1": "1", "A2": 3, "B1": 40}
    invitation = invitation_code.invitation
    invitation.refresh_from_db()
    assert invitation.state == "started"


def test_submit_replies_done_and_stores_once(invitation_code):
    client = _entered(invitation_code)
    key = client.cookies[KEY_COOKIE].value
    _json_post(client, _page_url("A"), {"A1": "2"})
    done = _json_post(client, _page_url("B"), {"B1": "40"}, action="submit")
    assert done.status_code == 200 and done.json() == {"done": reverse("respondent-done")}
    assert not done.templates
    assert client.cookies[KEY_COOKIE].value == ""  # the browser's key is deleted
    response = Response.objects.get()
    assert response.status == "complete" and response.answers == {"A1": "2", "B1": 40}
    invitation = invitation_code.invitation
    quota = StationQuota.objects.get(wave=invitation.wave, station=invitation.station)
    assert quota.completes == 1
    # The code is used up: a further save with the key (another tab, a replayed cookie) is
    # refused with the "already submitted" problem.
    client.cookies[KEY_COOKIE] = key
    again = client.post(_page_url("B"), {"form_state": _signed("B"), "B1": "41"}, **JSON)
    assert again.status_code == 409 and again.json()["problem"] == "done"


def test_errors_are_400_by_item_and_nothing_is_stored(invitation_code):
    client = _entered(invitation_code)
    _json_post(client, _page_url("A"), {"A1": "1", "A2": "3"})
    before = Response.objects.get()
    english = Client(headers={"accept-language": "en"})
    english.cookies = client.cookies
    bad = _json_post(english, _page_url("B"), {"B1": "500", "B2": ["G01", "none"], "B3": "ok"})
    assert bad.status_code == 400 and not bad.templates
    body = bad.json()
    assert set(body["errors"]) == {"B1", "B2"} and body["form_error"] == ""
    with translation.override("en"):
        assert "120" in body["errors"]["B1"] and "combined" in body["errors"]["B2"]
    assert "page" not in body
    after = Response.objects.get()
    assert after.answers == before.answers and after.updated_at == before.updated_at


def test_submit_with_a_missing_earlier_answer_names_its_page(invitation_code):
    client = _entered(invitation_code)
    # Submit from page A while required B1 was never answered.
    refused = _json_post(client, _page_url("A"), {"A1": "2"}, action="submit")
    assert refused.status_code == 400
    body = refused.json()
    assert body["page"] == "B" and set(body["errors"]) == {"B1"}
    assert Response.objects.get().status == "partial"


@pytest.mark.parametrize("case", ["forged", "other page", "stale", "unknown page", "action"])
def test_bad_form_state_is_refused(invitation_code, case):
    client = _entered(invitation_code)
    _json_post(client, _page_url("A"), {"A1": "1", "A2": "3"})
    before = Response.objects.get()
    url, data = _page_url("B"), {"B1": "40", "action": "next"}
    if case == "forged":
        data["form_state"] = "forged:state"
    elif case == "other page":
        data["form_state"] = _signed("A")
    elif case == "stale":
        with freeze_time(timezone.now() - timedelta(days=2)):
            data["form_state"] = _signed("B")
    elif case == "unknown page":
        url, data["form_state"] = _page_url("ZZ"), _signed("ZZ")
    else:
        data.update(form_state=_signed("B"), action="jump")
    refused = client.post(url, data, **JSON)
    assert refused.status_code == 400 and not refused.templates
    body = refused.json()
    assert body["errors"] == {} and body["form_error"]
    after = Response.objects.get()
    assert after.answers == before.answers and after.updated_at == before.updated_at


def test_answers_of_another_page_are_refused(invitation_code):
    client = _entered(invitation_code)
    refused = _json_post(client, _page_url("B"), {"B1": "40", "A1": "1"})
    assert refused.status_code == 400 and refused.json()["form_error"]
    assert not Response.objects.exists()


def test_refusals_carry_the_problem_and_its_status(office, invitation_code, open_wave):
    data = {"form_state": _signed("A"), "A1": "2", "action": "next"}
    stranger = Client()
    assert stranger.post(_page_url("A"), data, **JSON).json()["problem"] == "unknown"  # no key
    stranger.cookies[KEY_COOKIE] = "x" * 22  # not a key this server signed
    unknown = stranger.post(_page_url("A"), data, **JSON)
    assert unknown.status_code == 404 and unknown.json()["problem"] == "unknown"
    assert unknown.json()["message"]
    client = _entered(invitation_code)
    services.wave_close(actor=office, wave=open_wave)
    closed = client.post(_page_url("A"), data, **JSON)
    assert closed.status_code == 410 and closed.json()["problem"] == "closed"
    assert not Response.objects.exists()
    # The GET of a refused code still shows the problem page (what form.js navigates to).
    assert "<html" in client.get(_page_url("A")).content.decode()


def test_completed_invitation_is_refused_with_409(invitation_code):
    client = _entered(invitation_code)
    Invitation.objects.filter(pk=invitation_code.invitation.pk).update(state="completed")
    refused = client.post(_page_url("A"), {"form_state": _signed("A"), "A1": "2"}, **JSON)
    assert refused.status_code == 409 and refused.json()["problem"] == "done"


def _open_key(client, quota) -> str:
    cache.clear()  # the limits on new open-link keys
    start = client.get(reverse("respondent-open", args=[quota.open_token]))
    assert to_page(client, start) == _page_url("A")
    return client.cookies[KEY_COOKIE].value


def test_open_link_submit_sets_the_same_cookies(open_wave, station_b):
    quota = open_wave.quotas.get(station=station_b)
    client = Client()
    assert _open_key(client, quota)
    _json_post(client, _page_url("A"), {"A1": "2"})
    done = _json_post(client, _page_url("B"), {"B1": "40"}, action="submit")
    assert done.status_code == 200 and done.json() == {"done": reverse("respondent-done")}
    assert done.cookies[f"sv_done_{open_wave.pk}"].value == "1"
    opened = done.cookies[KEY_COOKIE]  # the respondent key is deleted
    assert opened.value == "" and opened["max-age"] == 0
    again = client.get(reverse("respondent-open", args=[quota.open_token]))
    assert again.status_code == 409


def test_full_quota_on_open_link_submit_is_409(open_wave, station_b):
    quota = open_wave.quotas.get(station=station_b)
    client = Client()
    assert _open_key(client, quota)
    _json_post(client, _page_url("A"), {"A1": "2"})
    StationQuota.objects.filter(pk=quota.pk).update(target=0)
    full = _json_post(client, _page_url("B"), {"B1": "40"}, action="submit")
    assert full.status_code == 409 and full.json()["problem"] == "full"
    assert Response.objects.get().status == "partial"


@pytest.mark.parametrize(
    ("age", "elapsed", "counted"),
    [
        (100, "7", 7),  # the client's seconds on the page
        (100, "99999", 100),  # never more than since the render
        (5000, "4000", 3600),  # and at most an hour
        (100, "soon", 100),  # not a number: the time since the render, as without JS
        (100, "-5", 100),
        (100, None, 100),
    ],
)
def test_elapsed_seconds(invitation_code, age, elapsed, counted):
    client = _entered(invitation_code)
    data = {"form_state": _signed("A", age=age), "A1": "2", "action": "next"}
    if elapsed is not None:
        data["elapsed"] = elapsed
    saved = client.post(_page_url("A"), data, **JSON)
    assert saved.status_code == 200, saved.content
    assert Response.objects.get().page_seconds["A"] in (counted, counted + 1)


def test_elapsed_is_not_a_field_of_the_plain_form(invitation_code):
    client = _entered(invitation_code)
    data = {"form_state": _signed("A"), "A1": "2", "action": "next", "elapsed": "3"}
    assert client.post(_page_url("A"), data).status_code == 400
    assert not Response.objects.exists()


def test_csrf_is_enforced_on_the_json_path(invitation_code):
    client = _entered(invitation_code, enforce_csrf_checks=True)
    url = _page_url("A")
    html = client.get(url).content.decode()
    data = {"form_state": _sections(html)["A"]["state"], "A1": "2", "action": "next"}
    forged = client.post(url, data, **JSON)
    assert forged.status_code == 403 and not Response.objects.exists()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    saved = client.post(url, {**data, "csrfmiddlewaretoken": token}, **JSON)
    assert saved.status_code == 200 and saved.json()["page"] == "B"
