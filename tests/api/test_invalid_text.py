"""The REST API refuses text that is never valid (instruments.text) in any JSON body,
form field or query string: 400 in the one error format, in the request's language,
nothing stored. The middleware refuses first; the API's own parsers refuse again when
the middleware is not in the way (defence in depth)."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from survey_platform.api.parsers import FormParser, JSONParser
from survey_platform.api.tokens import token_create
from survey_platform.core.models import AuditEvent
from survey_platform.fieldwork.models import Wave
from survey_platform.network.models import Station

pytestmark = pytest.mark.django_db

STATION = {"name": "新站", "host_institution": "新单位", "region": "341102",
           "sector": "university", "frame_size": 300}  # fmt: skip
#: (escaped JSON text of a name, English words, Chinese words of the refusal)
NAMES = {
    "surrogate": ('"新站\\ud800"', "lone UTF-16 surrogate", "代理项"),
    "low surrogate": ('"\\udfff新站"', "lone UTF-16 surrogate", "代理项"),
    "nul": ('"新\\u0000站"', "NUL character", "空字符"),
    "noncharacter": ('"新站\\uffff"', "non-character", "非字符"),
    "plane 16 noncharacter": ('"新站\\udbff\\udfff"', "non-character", "非字符"),
}


@pytest.fixture
def office_api(office) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {token_create(actor=None, user=office, name='t')[1]}"
    )
    return client


def snapshot() -> tuple[object, ...]:
    return (
        list(Station.objects.order_by("pk").values()),
        list(Wave.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


def body_with_name(name_json: str) -> str:
    body = json.dumps(STATION, ensure_ascii=False)
    assert '"新站"' in body
    return body.replace('"新站"', name_json, 1)


@pytest.mark.parametrize("case", list(NAMES))
def test_a_station_with_invalid_text_in_its_name_is_refused(office_api, case):
    name, english, chinese = NAMES[case]
    before = snapshot()
    for language, words in (("en", english), ("zh-hans", chinese)):
        refused = office_api.generic("POST", "/api/v1/stations/", body_with_name(name),
                                     content_type="application/json",
                                     HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip
        assert refused.status_code == 400
        assert refused["Content-Type"].startswith("application/json")
        assert words in refused.json()["detail"]
    assert snapshot() == before
    # The same body with a real name is accepted (the refusal is about the text only).
    ok = office_api.generic("POST", "/api/v1/stations/", json.dumps(STATION),
                            content_type="application/json")  # fmt: skip
    assert ok.status_code == 201, ok.content[:300]


def test_a_wave_with_a_non_character_in_its_title_is_refused(office_api, published_version):
    before = snapshot()
    wave = {"code": "2027-Q2", "title": "快速调查\ufdd0", "kind": "quick",
            "instrument_version": published_version.pk, "opens_at": "2027-04-01T08:00:00+08:00",
            "closes_at": "2027-04-30T23:59:00+08:00"}  # fmt: skip
    for language, words in (("en", "non-character"), ("zh-hans", "非字符")):
        refused = office_api.post("/api/v1/waves/", wave, format="json",
                                  HTTP_ACCEPT_LANGUAGE=language)  # fmt: skip
        assert refused.status_code == 400 and words in refused.json()["detail"]
    assert snapshot() == before


def test_a_body_that_is_not_utf8_is_refused(office_api):
    before = snapshot()
    body = (
        json.dumps(STATION, ensure_ascii=False)
        .encode("utf-8")
        .replace("新站".encode(), b"\xed\xa0\x80\xff")
    )
    refused = office_api.generic(
        "POST",
        "/api/v1/stations/",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400 and "UTF-8" in refused.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("query", ["?search=%EF%BF%BF", "?name=%00", "?%EF%B7%90=1"])
def test_query_strings_are_refused(office_api, query):
    refused = office_api.get(f"/api/v1/stations/{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "valid" in refused.json()["detail"]


def test_html_forms_and_pages_are_refused_in_the_requests_language(office):
    client = Client()
    client.force_login(office)
    english = client.get("/fieldwork/waves/?q=%EF%BF%BE", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/fieldwork/waves/?q=%EF%BF%BE", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.status_code == chinese.status_code == 400
    assert "non-character" in english.content.decode()
    assert "非字符" in chinese.content.decode()
    posted = client.post("/code/", {"code": "AB\ufdd0CD"}, HTTP_ACCEPT_LANGUAGE="en")
    assert posted.status_code == 400


def test_an_emoji_is_text(office_api):
    ok = office_api.generic("POST", "/api/v1/stations/", body_with_name('"新站\\ud83d\\ude00"'),
                            content_type="application/json")  # fmt: skip
    assert ok.status_code == 201, ok.content[:300]
    assert Station.objects.filter(name="新站😀").exists()


def test_without_the_middleware_the_parsers_still_refuse(office_api, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("TextMiddleware")
                           and not m.endswith("RejectNulMiddleware")]  # fmt: skip
    before = snapshot()
    body = body_with_name('"新站\\ud800"')
    refused = office_api.generic(
        "POST",
        "/api/v1/stations/",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400 and "surrogate" in refused.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("parser", "body", "media_type"),
    [
        (JSONParser(), b'{"a": ["x", "\\ud800"]}', "application/json"),
        (JSONParser(), b'{"\\ufffe": 1}', "application/json"),
        (FormParser(), b"a=%EF%BF%BF", "application/x-www-form-urlencoded"),
        (FormParser(), b"a=1%002", "application/x-www-form-urlencoded"),
    ],
)
def test_the_parsers_refuse_invalid_text(parser, body, media_type):
    with pytest.raises(ParseError):
        parser.parse(io.BytesIO(body), media_type, {"encoding": "utf-8"})
