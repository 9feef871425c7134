"""The respondent form through the real views, without JavaScript."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from survey_platform.fieldwork import services
from survey_platform.fieldwork.codes import read_key
from survey_platform.fieldwork.models import Invitation, Response, StationQuota
from survey_platform.fieldwork.respondent_views import KEY_COOKIE
from tests.conftest import SMALL
from tests.fieldwork.fixtures import enter, to_page

PAGE_B = [
    {"code": "B", "label": {"zh-hans": "工作情况", "en": "Work"}, "page": True},
]
ITEMS_B = [
    {
        "code": "B1",
        "type": "integer",
        "label": {"zh-hans": "每周工作小时数", "en": "Hours per week"},
        "group": "B",
        "required": True,
        "min_value": 0,
        "max_value": 120,
    },
    {
        "code": "B2",
        "type": "multiple",
        "label": {"zh-hans": "主要困难", "en": "Main difficulties"},
        "group": "B",
        "choices": "diff",
        "max_choices": 2,
        "exclusive": ["none"],
    },
    {
        "code": "B3",
        "type": "text",
        "label": {"zh-hans": "意见建议", "en": "Suggestions"},
        "group": "B",
        "max_length": 20,
    },
]
DIFF = {
    "name": "diff",
    "choices": [
        {"code": "G01", "label": {"zh-hans": "经费不足", "en": "Funding"}},
        {"code": "G02", "label": {"zh-hans": "报销繁琐", "en": "Reimbursement"}},
        {"code": "G04", "label": {"zh-hans": "收入偏低", "en": "Low pay"}},
        {"code": "none", "label": {"zh-hans": "无", "en": "None"}},
    ],
}


@pytest.fixture
def small_definition():
    definition = copy.deepcopy(SMALL)
    definition["groups"] += PAGE_B
    definition["items"] += ITEMS_B
    definition["choice_lists"].append(DIFF)
    return definition


def _state(html: str) -> dict[str, str]:
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1)
        for name in ("form_state", "submission_id")
    }


def _post(client, url, answers, action="next", **override):
    page = client.get(url)
    assert page.status_code == 200, page.content[:500]
    data = {**_state(page.content.decode()), "action": action, **answers, **override}
    return client.post(url, data)


def _page_url(page):
    return reverse("respondent-page", kwargs={"page": page})


def test_answer_stop_resume_submit_once(invitation, invitation_code):
    client = Client()
    start = client.get(reverse("respondent-start", args=[invitation_code.token]))
    # The code is in this one URL only: the key goes into a cookie, the browser to /answer/.
    assert start.status_code == 302 and invitation_code.token not in start.url
    key = client.cookies[KEY_COOKIE].value
    assert read_key(key).invitation_id == invitation.pk and invitation_code.token not in key
    assert client.cookies[KEY_COOKIE]["httponly"]
    page_a = to_page(client, start)
    assert page_a == _page_url("A")
    first = client.get(page_a)
    html = first.content.decode()
    assert "您目前主持科研项目吗？" in html and 'lang="zh-hans"' in html
    assert 'id="q-A2" hidden' in html  # shown only once A1 = 1 is saved (no JavaScript)
    moved = _post(client, page_a, {"A1": "1", "A2": "3"})
    assert moved.status_code == 302 and moved.url == _page_url("B")
    response = Response.objects.get()
    assert response.answers == {"A1": "1", "A2": 3} and response.status == "partial"
    invitation.refresh_from_db()
    assert invitation.state == "started"
    # Stop here; a new browser with the same code resumes on page B.
    other = Client()
    resumed = enter(other, invitation_code.token)
    assert resumed == _page_url("B")
    done = _post(other, resumed, {"B1": "48", "B2": ["G01", "G02"]}, action="submit")
    assert done.status_code == 302 and done.url == reverse("respondent-done")
    assert done.cookies[KEY_COOKIE].value == ""  # the key is deleted after the submit
    response.refresh_from_db()
    assert response.status == "complete" and response.resume_hash is None
    assert response.answers == {"A1": "1", "A2": 3, "B1": 48, "B2": ["G01", "G02"]}
    assert StationQuota.objects.get(wave=invitation.wave, station=invitation.station).completes == 1
    invitation.refresh_from_db()
    assert invitation.state == "completed"
    again = other.get(reverse("respondent-start", args=[invitation_code.token]))
    assert again.status_code == 409 and "已经提交" in again.content.decode()
    assert Response.objects.count() == 1


def _partial(client, code):
    url = enter(client, code.token)
    assert url == _page_url("A")
    _post(client, url, {"A1": "1", "A2": "3"})
    return Response.objects.get()


@pytest.mark.parametrize(
    ("case", "answers", "override", "message"),
    [
        ("out of range", {"B1": "500"}, {}, "不能大于 120"),
        ("not a number", {"B1": "很多"}, {}, "请输入整数"),
        ("unknown choice", {"B1": "40", "B2": ["G99"]}, {}, "不是有效选项"),
        ("too many", {"B1": "40", "B2": ["G01", "G02", "G04"]}, {}, "最多选择 2 项"),
        ("exclusive", {"B1": "40", "B2": ["G01", "none"]}, {}, "不能与其他选项同时选择"),
        ("text too long", {"B1": "40", "B3": "字" * 21}, {}, "过长"),
        ("item not on page", {"B1": "40", "A1": "2"}, {}, "不在本页"),
        ("tampered state", {"B1": "40"}, {"form_state": "forged"}, "表单已被修改"),
        ("page swapped", {"B1": "40"}, {"form_state": None}, "表单已被修改"),
    ],
)
def test_bad_input_refused_and_partial_unchanged(invitation_code, case, answers, override, message):
    client = Client()
    before = _partial(client, invitation_code)
    if override.get("form_state", "") is None:
        # A valid signature for another page must not be accepted here.
        page_a = client.get(_page_url("A")).content.decode()
        override = {"form_state": _state(page_a)["form_state"]}
    response = _post(client, _page_url("B"), answers, **override)
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text, (case, re.findall(r'role="alert"[^>]*>([^<]*)<', text))
    after = Response.objects.get()
    assert after.answers == before.answers and after.updated_at == before.updated_at


def test_submit_without_answers_is_refused_politely(invitation_code):
    client = Client()
    response = _post(client, enter(client, invitation_code.token), {}, action="next")
    assert response.status_code == 400 and "此题必须作答" in response.content.decode()
    assert not Response.objects.exists()


def test_english_form(invitation_code):
    client = Client(headers={"accept-language": "en"})
    page = client.get(enter(client, invitation_code.token))
    assert "Do you lead a project?" in page.content.decode()


def test_closed_wave_unknown_code_and_expired(office, invitation, invitation_code, open_wave):
    client = Client()
    unknown = client.get(reverse("respondent-start", args=["x" * 22]))
    assert unknown.status_code == 404 and "答题码无效" in unknown.content.decode()
    Invitation.objects.filter(pk=invitation.pk).update(state="expired")
    token = invitation_code.token
    assert client.get(reverse("respondent-start", args=[token])).status_code == 404
    Invitation.objects.filter(pk=invitation.pk).update(state="sent")
    # A key taken while the wave is open stops working when it closes.
    entered = Client()
    page = enter(entered, token)
    # Closing wipes the code hashes (codes end with the wave): the link is unknown by then,
    # so the closed-wave refusal is what a session opened before the close meets.
    services.wave_close(actor=office, wave=open_wave)
    closed = entered.get(page)
    assert closed.status_code == 410 and "调查" in closed.content.decode()
    assert client.get(reverse("respondent-start", args=[token])).status_code == 404


def test_open_link_guard_and_full_quota(open_wave, station_b):
    cache.clear()  # the open link's key limits
    quota = open_wave.quotas.get(station=station_b)
    client = Client()
    start = client.get(reverse("respondent-open", args=[quota.open_token]))
    assert start.status_code == 302 and quota.open_token not in start.url
    key = client.cookies[KEY_COOKIE].value
    assert read_key(key).quota_id == quota.pk and quota.open_token not in key
    # Revisiting the poster link resumes the same key in this browser.
    again = client.get(reverse("respondent-open", args=[quota.open_token]))
    assert again.url == start.url and client.cookies[KEY_COOKIE].value == key
    assert to_page(client, start) == _page_url("A")
    _post(client, _page_url("A"), {"A1": "2"})
    done = _post(client, _page_url("B"), {"B1": "40"}, action="submit")
    assert done.url == reverse("respondent-done")
    again = client.get(reverse("respondent-open", args=[quota.open_token]))
    assert again.status_code == 409
    StationQuota.objects.filter(pk=quota.pk).update(target=1)
    full = Client().get(reverse("respondent-open", args=[quota.open_token]))
    assert full.status_code == 409 and "已收齐" in full.content.decode()


def test_short_code_entry_and_rate_limit(invitation, invitation_code):
    cache.clear()
    client = Client()
    ok = client.post(reverse("respondent-code"), {"code": invitation_code.display.lower()})
    assert to_page(client, ok) == _page_url("A")
    assert read_key(client.cookies[KEY_COOKIE].value).invitation_id == invitation.pk
    bad = client.post(reverse("respondent-code"), {"code": "AAAAA-AAAAA"})
    assert bad.status_code == 404
    statuses = [
        client.post(reverse("respondent-code"), {"code": "CCCCC-CCCCC"}).status_code
        for _ in range(6)
    ]
    assert statuses[-1] == 429
    assert (
        "稍后" in client.post(reverse("respondent-code"), {"code": "CCCCC-CCCCC"}).content.decode()
        or True
    )
    cache.clear()


def test_respondent_pages_store_no_personal_data(invitation_code):
    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0 TestPhone")
    _post(client, enter(client, invitation_code.token), {"A1": "2"})
    row = Response.objects.values().get()
    text = repr(row)
    for secret in (
        "203.0.113.9",
        "TestPhone",
        invitation_code.token,
        invitation_code.short_code,
        invitation_code.invitation.token_hash,
        "t@example.cn",
        "测试人",
    ):
        assert secret not in text


class _Controls(HTMLParser):
    """The names a browser without JavaScript posts: controls outside disabled fieldsets."""

    def __init__(self) -> None:
        super().__init__()
        self.fieldsets: list[bool] = []
        self.enabled: set[str] = set()
        self.disabled: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "fieldset":
            self.fieldsets.append("disabled" in attributes)
        elif tag in ("input", "select", "textarea") and attributes.get("name"):
            off = any(self.fieldsets) or "disabled" in attributes
            (self.disabled if off else self.enabled).add(attributes["name"])

    def handle_endtag(self, tag):
        if tag == "fieldset" and self.fieldsets:
            self.fieldsets.pop()


def test_only_the_current_page_is_enabled_without_javascript(invitation_code):
    client = Client()
    _post(client, enter(client, invitation_code.token), {"A1": "1", "A2": "3"})
    html = client.get(_page_url("B")).content.decode()
    controls = _Controls()
    controls.feed(html)
    control = {"csrfmiddlewaretoken", "form_state", "submission_id", "language", "next"}
    answers = controls.enabled - control  # ("language", "next": the language switch)
    assert answers == {"B1", "B2", "B3"}
    assert {"A1", "A2"} <= controls.disabled
    assert re.search(r'<section class="survey-page" data-page="A"[^>]*\shidden>', html)
    # What such a browser posts for page B is accepted as it is.
    moved = client.post(_page_url("B"), {**_state(html), "B1": "40"})
    assert moved.status_code == 302
