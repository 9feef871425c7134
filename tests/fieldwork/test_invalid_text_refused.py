"""Every way a respondent sends answers refuses text that is never valid, and text over
the item's limit: a 4xx with a message in the request's language, nothing stored.

The three ways: the form posted without JavaScript (an HTML page back), the same form
posted by form.js (``Accept: application/json``), and the respondent API's JSON page
save. A lone surrogate cannot be sent in a form post at all (the body is UTF-8, so the
server decodes it to U+FFFD), so the form paths are tried with NUL and non-characters;
the JSON path with every kind, as an escape (``"\\ud800"``) and raw.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from survey_platform.fieldwork import codes
from survey_platform.fieldwork.models import Invitation, Response
from tests.reports.helpers import make_wave

pytestmark = pytest.mark.django_db

KEY_HEADER = "HTTP_X_RESPONDENT_KEY"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
#: Words of each refusal in each language (the middleware's messages).
WORDS = {
    "nul": ("NUL character", "空字符"),
    "surrogate": ("lone UTF-16 surrogate", "代理"),
    "noncharacter": ("non-character", "非字符"),
}
FORM_BAD = {"nul": "工资\x00太低", "noncharacter": "工资太低\uffff"}
JSON_BAD = {"surrogate": "工资太低\ud800", "nul": "工资\x00太低", "noncharacter": "\ufdd0工资"}


@pytest.fixture
def wave(office, standard_version, station_a):
    return make_wave(office, standard_version, [station_a], "2026-TXT")


@pytest.fixture
def invitation(wave, station_a):
    return Invitation.objects.create(wave=wave, station=station_a, channel="print")


def browser(invitation: Invitation, **headers: Any) -> Client:
    """A phone that came in through the invitation's link (the key is in its cookie)."""
    (issued,) = codes.codes_issue_for([invitation], revoke_sessions=False)
    client = Client(**headers)
    assert client.get(f"/a/{issued.token}/").status_code in (200, 302)
    return client


def api(invitation: Invitation) -> APIClient:
    codes.codes_issue_for([invitation], revoke_sessions=False)
    invitation.refresh_from_db()
    client = APIClient()
    client.credentials(**{KEY_HEADER: codes.invitation_key(invitation)})
    return client


def stored() -> list[tuple[Any, ...]]:
    return list(Response.objects.order_by("pk").values_list("pk", "answers", "revision"))


def form_fields(client: Client, page: str = "K") -> dict[str, str]:
    html = client.get(f"/answer/{page}/").content.decode()
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1)
        for name in ("form_state", "submission_id")
    }


def save_first(client: Client) -> None:
    """A valid save of page K, so that there is a stored response to keep unchanged."""
    ok = client.post("/answer/K/", {**form_fields(client), "K1": "经费太少", "action": "next"})
    assert ok.status_code in (200, 302), ok.content[:300]
    assert Response.objects.count() == 1


@pytest.mark.parametrize("kind", list(FORM_BAD))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("as_json", [False, True], ids=["html form", "form.js"])
def test_the_form_refuses_invalid_text(invitation, kind, language, as_json):
    client = browser(invitation, HTTP_ACCEPT_LANGUAGE=language)
    save_first(client)
    before = stored()
    data = {**form_fields(client), "K1": FORM_BAD[kind], "action": "next"}
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    refused = client.post("/answer/K/", data, **headers)
    assert refused.status_code == 400
    words = WORDS[kind][0 if language == "en" else 1]
    if as_json:
        assert words in refused.json()["form_error"]
    else:
        assert words in refused.content.decode()
    assert stored() == before


@pytest.mark.parametrize("as_json", [False, True], ids=["html form", "form.js"])
def test_the_form_refuses_text_over_the_limit(invitation, as_json):
    client = browser(invitation, HTTP_ACCEPT_LANGUAGE="en")
    save_first(client)
    before = stored()
    data = {**form_fields(client), "K1": "字" * 2001, "action": "next"}
    headers = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    refused = client.post("/answer/K/", data, **headers)
    assert refused.status_code == 400
    body = refused.json()["errors"]["K1"] if as_json else refused.content.decode()
    assert "2001" in body and "2000" in body
    assert stored() == before
    page = client.get("/answer/K/").content.decode()
    assert re.search(r'<textarea name="K1"[^>]*maxlength="2000"', page)


@pytest.mark.parametrize("kind", list(JSON_BAD))
@pytest.mark.parametrize("escaped", [True, False], ids=["escaped", "raw"])
def test_the_api_page_save_refuses_invalid_text(invitation, kind, escaped):
    client = api(invitation)
    assert client.post("/api/v1/respondent/pages/K/", {"answers": {"K1": "经费太少"}},
                       format="json").status_code == 200  # fmt: skip
    before = stored()
    text = json.dumps({"answers": {"K1": JSON_BAD[kind]}}, ensure_ascii=escaped)
    if not escaped and kind == "surrogate":
        body = text.encode("utf-8", "surrogatepass")  # what a broken client might send
    else:
        body = text.encode("utf-8")
    for language, words in (("en", WORDS[kind][0]), ("zh-hans", WORDS[kind][1])):
        refused = client.generic("POST", "/api/v1/respondent/pages/K/", body,
                                 content_type="application/json",
                                 HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip
        assert refused.status_code == 400, (language, refused.content[:200])
        detail = refused.json()["detail"]
        if not escaped and kind == "surrogate":
            assert "UTF-8" in detail
        else:
            assert words in detail, detail
    assert stored() == before


def test_the_api_page_save_refuses_text_over_the_limit(invitation):
    client = api(invitation)
    assert client.post("/api/v1/respondent/pages/K/", {"answers": {"K1": "经费太少"}},
                       format="json").status_code == 200  # fmt: skip
    before = stored()
    for language, words in (("en", "too long"), ("zh-hans", "过长")):
        refused = client.post("/api/v1/respondent/pages/K/", {"answers": {"K1": "字" * 2001}},
                              format="json", HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip
        assert refused.status_code == 400
        assert words in refused.json()["errors"]["K1"][0]
    assert stored() == before


def test_the_reported_attack_changes_nothing(invitation):
    """The review's case: ``{"answers": {"K1": "工\\ud800"}}`` was stored, then broke all."""
    client = api(invitation)
    refused = client.generic("POST", "/api/v1/respondent/pages/K/",
                             '{"answers": {"K1": "工\\ud800"}}', content_type="application/json",
                             HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert refused.status_code == 400 and "surrogate" in refused.json()["detail"]
    assert not Response.objects.exists()
    # An emoji sent as a pair of escapes is one real character, and is kept.
    ok = client.generic(
        "POST",
        "/api/v1/respondent/pages/K/",
        '{"answers": {"K1": "好\\ud83d\\ude00"}}',
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content[:300]
    assert Response.objects.get().answers["K1"] == "好😀"
