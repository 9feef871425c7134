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
from survey_platform.fieldwork.models import Invitation, Response, StationQuota
from tests.conftest import SMALL

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


def _page_url(key, page):
    return reverse("respondent-page", args=[key, page])


def test_answer_stop_resume_submit_once(invitation):
    client = Client()
    start = client.get(reverse("respondent-start", args=[invitation.token]))
    assert start.status_code == 302 and start.url == _page_url(invitation.token, "A")
    first = client.get(start.url)
    html = first.content.decode()
    assert "您目前主持科研项目吗？" in html and 'lang="zh-hans"' in html
    assert 'id="q-A2" hidden' in html  # shown only once A1 = 1 is saved (no JavaScript)
    moved = _post(client, start.url, {"A1": "1", "A2": "3"})
    assert moved.status_code == 302 and moved.url == _page_url(invitation.token, "B")
    response = Response.objects.get()
    assert response.answers == {"A1": "1", "A2": 3} and response.status == "partial"
    invitation.refresh_from_db()
    assert invitation.state == "started"
    # Stop here; a new browser with the same code resumes on page B.
    other = Client()
    resumed = other.get(reverse("respondent-start", args=[invitation.token]))
    assert resumed.url == _page_url(invitation.token, "B")
    done = _post(other, resumed.url, {"B1": "48", "B2": ["G01", "G02"]}, action="submit")
    assert done.status_code == 302 and done.url == reverse("respondent-done")
    response.refresh_from_db()
    assert response.status == "complete" and response.resume_hash is None
    assert response.answers == {"A1": "1", "A2": 3, "B1": 48, "B2": ["G01", "G02"]}
    assert StationQuota.objects.get(wave=invitation.wave, station=invitation.station).completes == 1
    invitation.refresh_from_db()
    assert invitation.state == "completed"
    again = other.get(reverse("respondent-start", args=[invitation.token]))
    assert again.status_code == 409 and "已经提交" in again.content.decode()
    assert Response.objects.count() == 1


def _partial(client, invitation):
    url = _page_url(invitation.token, "A")
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
def test_bad_input_refused_and_partial_unchanged(invitation, case, answers, override, message):
    client = Client()
    before = _partial(client, invitation)
    if override.get("form_state", "") is None:
        # A valid signature for another page must not be accepted here.
        page_a = client.get(_page_url(invitation.token, "A")).content.decode()
        override = {"form_state": _state(page_a)["form_state"]}
    response = _post(client, _page_url(invitation.token, "B"), answers, **override)
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text, (case, re.findall(r'role="alert"[^>]*>([^<]*)<', text))
    after = Response.objects.get()
    assert after.answers == before.answers and after.updated_at == before.updated_at


def test_submit_without_answers_is_refused_politely(invitation):
    client = Client()
    response = _post(client, _page_url(invitation.token, "A"), {}, action="next")
    assert response.status_code == 400 and "此题必须作答" in response.content.decode()
    assert not Response.objects.exists()


def test_english_form(invitation):
    client = Client(headers={"accept-language": "en"})
    page = client.get(_page_url(invitation.token, "A"))
    assert "Do you lead a project?" in page.content.decode()


def test_closed_wave_unknown_code_and_expired(office, invitation, open_wave):
    client = Client()
    unknown = client.get(reverse("respondent-start", args=["x" * 22]))
    assert unknown.status_code == 404 and "答题码无效" in unknown.content.decode()
    Invitation.objects.filter(pk=invitation.pk).update(state="expired")
    assert client.get(reverse("respondent-start", args=[invitation.token])).status_code == 404
    Invitation.objects.filter(pk=invitation.pk).update(state="sent")
    services.wave_close(actor=office, wave=open_wave)
    closed = client.get(reverse("respondent-start", args=[invitation.token]))
    assert closed.status_code == 410 and "调查" in closed.content.decode()


def test_open_link_guard_and_full_quota(open_wave, station_b):
    quota = open_wave.quotas.get(station=station_b)
    client = Client()
    start = client.get(reverse("respondent-open", args=[quota.open_token]))
    assert start.status_code == 302
    key = start.url.split("/")[2]
    assert key.startswith(quota.open_token + ".")
    # Revisiting the poster link resumes the same key in this browser.
    assert client.get(reverse("respondent-open", args=[quota.open_token])).url == start.url
    _post(client, _page_url(key, "A"), {"A1": "2"})
    done = _post(client, _page_url(key, "B"), {"B1": "40"}, action="submit")
    assert done.url == reverse("respondent-done")
    again = client.get(reverse("respondent-open", args=[quota.open_token]))
    assert again.status_code == 409
    StationQuota.objects.filter(pk=quota.pk).update(target=1)
    full = Client().get(reverse("respondent-open", args=[quota.open_token]))
    assert full.status_code == 409 and "已收齐" in full.content.decode()


def test_short_code_entry_and_rate_limit(invitation):
    cache.clear()
    client = Client()
    ok = client.post(reverse("respondent-code"), {"code": invitation.display_short_code.lower()})
    assert ok.status_code == 302 and ok.url == reverse("respondent-start", args=[invitation.token])
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


def test_respondent_pages_store_no_personal_data(invitation):
    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0 TestPhone")
    _post(client, _page_url(invitation.token, "A"), {"A1": "2"})
    row = Response.objects.values().get()
    text = repr(row)
    for secret in (
        "203.0.113.9",
        "TestPhone",
        invitation.token,
        invitation.short_code,
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


def test_only_the_current_page_is_enabled_without_javascript(invitation):
    client = Client()
    _post(client, _page_url(invitation.token, "A"), {"A1": "1", "A2": "3"})
    html = client.get(_page_url(invitation.token, "B")).content.decode()
    controls = _Controls()
    controls.feed(html)
    control = {"csrfmiddlewaretoken", "form_state", "submission_id", "language", "next"}
    answers = controls.enabled - control  # ("language", "next": the language switch)
    assert answers == {"B1", "B2", "B3"}
    assert {"A1", "A2"} <= controls.disabled
    assert re.search(r'<section class="survey-page" data-page="A"[^>]*\shidden>', html)
    # What such a browser posts for page B is accepted as it is.
    moved = client.post(_page_url(invitation.token, "B"), {**_state(html), "B1": "40"})
    assert moved.status_code == 302
