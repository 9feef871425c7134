"""Acceptance: a respondent on a 375 px phone answers the standard questionnaire through
its skip logic, stops half-way, resumes in another browser, submits; the code is then
refused, and the station's dashboard shows one more complete. With JavaScript the pages
are saved in the background (no page load between pages); without it the form still
works page by page.

With UPDATE_SCREENSHOTS=1 the screenshots are written to docs/screenshots/.
"""

from __future__ import annotations

import copy
import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from survey_platform.demo.fieldwork import DEMO_WAVE, demo_invitation
from survey_platform.fieldwork.models import Response, StationQuota, Wave
from tests.browser.conftest import login
from tests.conftest import SMALL

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 375, "height": 812}
# Plausible answers where the first option or the minimum would break a check.
NUMBERS = {"A2": "1985", "A7": "6", "B1": "50", "B2": "35", "B3": "6", "B4": "4", "B5": "3",
           "C1": "18.5", "E3": "40", "E6": "10", "F3": "2", "G5": "7"}  # fmt: skip


def _shot(page, name: str, tmp_path: Path) -> None:
    target = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / name), full_page=False)


def _answer_visible(page) -> None:
    # Twice: an answer can reveal further questions on the same page (skip logic, live).
    for _ in range(2):
        _answer_pass(page)


def _answer_pass(page) -> None:
    # The current page only: every page is in the document (hidden but the current one).
    for question in page.query_selector_all(".survey-page.current .q:not([hidden])"):
        code, kind = question.get_attribute("data-code"), question.get_attribute("data-type")
        if kind in ("single", "likert"):
            question.query_selector("input[type=radio]").check()
        elif kind == "multiple":
            question.query_selector("input[type=checkbox]:not([data-exclusive])").check()
        elif kind == "matrix":
            for row in question.query_selector_all("tr[data-row]"):
                row.query_selector("input[type=radio]").check()
        elif kind == "ranking":
            for index, select in enumerate(question.query_selector_all("select"), start=1):
                select.select_option(index=index)
        elif kind in ("integer", "decimal", "year"):
            question.query_selector("input").fill(NUMBERS.get(code, "1"))
        elif kind == "text":
            question.query_selector("input, textarea").fill("希望减少填表和报销的负担。")
        if question.query_selector(".other-specify:not([hidden]) input"):
            question.query_selector(".other-specify input").fill("其他情况")


def _next(page) -> str:
    """Press the visible "Save and continue" or "Submit" and wait for the saved page."""
    button = page.query_selector(".resp-nav [data-finish]:not([hidden])") or page.query_selector(
        ".resp-nav [data-next]:not([hidden])"
    )
    value = button.get_attribute("value")
    before = page.url
    button.click()
    if value == "submit":
        page.wait_for_url("**/thanks/")
    else:
        # Selectors, not wait_for_function: the page's Content-Security-Policy forbids eval.
        page.wait_for_selector("form.survey:not([aria-busy=true])", state="attached")
        bad = page.query_selector(".survey-page.current .q.has-error")
        assert not bad, (bad.get_attribute("data-code"), bad.inner_text())
        assert page.url != before
        # No page was loaded: the marker set on the first page is still there.
        assert page.evaluate("window.journeyMarker") == "kept"
    return value


def _mark(page) -> None:
    page.evaluate("window.journeyMarker = 'kept'")


def test_phone_respondent_journey(browser, live_server, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    wave = Wave.objects.get(code=DEMO_WAVE)
    code = demo_invitation(wave)  # a fresh printed code, as `make run` prints it
    invitation = code.invitation
    quota = StationQuota.objects.get(wave=wave, station=invitation.station)
    completes_before = quota.completes
    link = f"{live_server.url}/a/{code.token}/"

    first = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = first.new_page()
    page.goto(link)
    assert code.token not in page.url  # the code leaves the address bar at once
    assert page.is_visible("text=您的性别")
    _shot(page, "respondent-first-page.png", tmp_path)
    _mark(page)
    first_page = page.url
    # Skip logic, live: funding questions appear only for project holders.
    for _ in range(4):
        _answer_visible(page)
        _next(page)
    assert re.fullmatch(r"第 5 页，共 \d+ 页", page.inner_text(".resp-progress-text"))
    page.click(".resp-nav [data-back]")  # client-side only: the previous page, kept answers
    assert page.evaluate("window.journeyMarker") == "kept" and page.url != first_page
    assert page.query_selector(".survey-page.current .q input:checked")
    _next(page)
    page.goto(link)  # what a returning respondent does
    _mark(page)
    while not page.query_selector(".survey-page.current #q-E1"):
        _answer_visible(page)
        _next(page)
    assert page.is_hidden("#q-E2")
    page.check("#q-E1 input[value='1']")
    assert page.is_visible("#q-E2") and page.is_hidden("#q-E7")
    _answer_visible(page)
    _next(page)
    stopped_at = page.url
    first.close()  # stop half-way

    second = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = second.new_page()
    page.goto(link)
    assert page.url == stopped_at  # resumed where the respondent stopped
    _mark(page)
    while _next_after_answering(page) != "submit":
        pass
    assert "谢谢" in page.inner_text("main") or "感谢" in page.inner_text("main")
    # The demo wave holds simulated responses too: ours is the latest submitted one.
    response = (
        Response.objects.filter(wave=wave, status="complete", station=invitation.station)
        .order_by("-submitted_at")
        .first()
    )
    assert response.answers["E1"] == "1" and "E7" not in response.answers
    page.goto(link)
    assert "已经提交" in page.inner_text("main")
    second.close()

    quota.refresh_from_db()
    assert quota.completes == completes_before + 1
    staff = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = staff.new_page()
    login(page, live_server.url, "station_a", "station-a-demo-2026")
    page.goto(f"{live_server.url}/fieldwork/quotas/{quota.pk}/")
    assert page.inner_text("#completes").startswith(f"{quota.completes} /")
    _shot(page, "station-dashboard.png", tmp_path)
    staff.close()


def _next_after_answering(page) -> str:
    _answer_visible(page)
    return _next(page)


# --- without JavaScript -------------------------------------------------------------

PAGES = [
    ("B", "工作情况", {"code": "B1", "type": "integer", "required": True, "min_value": 0,
                      "max_value": 120, "label": {"zh-hans": "每周工作小时数", "en": "Hours"}}),
    ("C", "困难", {"code": "C1", "type": "single", "choices": "yn", "required": True,
                  "label": {"zh-hans": "经费够用吗？", "en": "Enough funding?"}}),
    ("D", "建议", {"code": "D1", "type": "text", "long": True,
                  "label": {"zh-hans": "意见建议", "en": "Suggestions"}}),
]  # fmt: skip


@pytest.fixture
def small_definition():
    """The small test questionnaire (page A with live skip logic) and three more pages."""
    definition = copy.deepcopy(SMALL)
    for code, title, item in PAGES:
        definition["groups"].append({"code": code, "label": {"zh-hans": title}, "page": True})
        definition["items"].append({**item, "group": code})
    return definition


def _plain_next(page, action: str = "next") -> None:
    """Press the page's button in a browser without JavaScript: a real POST and page load."""
    with page.expect_navigation():
        page.click(f".resp-nav button[value={action}]")


def test_respondent_journey_without_javascript(browser, live_server, invitation_code, tmp_path):
    link = f"{live_server.url}/a/{invitation_code.token}/"
    first = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    page = first.new_page()
    page.goto(link)
    assert page.url.endswith("/A/") and page.is_visible("text=您目前主持科研项目吗？")
    # Only the current page is shown: the others are in the document, hidden and disabled.
    assert page.is_hidden("section[data-page=B]") and page.is_hidden("section[data-page=D]")
    assert page.is_disabled("section[data-page=B] input[name=B1]")
    assert page.is_hidden("#q-A2")  # no live skip logic without JavaScript
    page.check("input[name=A1][value='1']")
    _plain_next(page)
    # A2 is now shown (A1 = 1 was saved) but optional: saving moved on to page B.
    assert page.url.endswith("/B/") and page.is_visible("section[data-page=B] input[name=B1]")
    _shot(page, "respondent-no-js.png", tmp_path)
    page.fill("input[name=B1]", "500")
    _plain_next(page)
    assert page.url.endswith("/B/") and page.is_visible("#q-B1 .q-error")
    page.fill("input[name=B1]", "45")
    _plain_next(page)
    assert page.url.endswith("/C/")
    _plain_next(page, "back")  # Previous saves nothing new and goes back
    assert page.url.endswith("/B/") and page.input_value("input[name=B1]") == "45"
    _plain_next(page)
    page.check("input[name=C1][value='2']")
    _plain_next(page)
    assert page.url.endswith("/D/")
    first.close()  # stop before the last page

    second = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    page = second.new_page()
    page.goto(link)
    assert page.url.endswith("/D/")  # resumed on the first unanswered page
    assert page.is_hidden("section[data-page=C]") and page.is_visible("section[data-page=D]")
    page.fill("textarea[name=D1]", "希望减少报表。")
    _plain_next(page, "submit")
    assert page.url.endswith("/thanks/")
    response = Response.objects.get(status="complete")
    assert response.answers == {"A1": "1", "B1": 45, "C1": "2", "D1": "希望减少报表。"}
    page.goto(link)
    assert "已经提交" in page.inner_text("main")
    second.close()


def test_javascript_saves_retry_show_errors_and_refusals(
    browser, live_server, invitation, invitation_code
):
    """A lost connection: three tries, then a message; nothing typed is lost, and the
    button works again once the connection is back. The server's 400 messages appear under
    the questions; a refusal shows the server's page."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/a/{invitation_code.token}/")
    _mark(page)
    attempts = []

    def cut(route):
        if route.request.method != "POST":
            return route.continue_()
        attempts.append(route.request.headers.get("accept"))
        return route.abort()

    page.route("**/answer/A/", cut)
    page.check("input[name=A1][value='1']")
    page.fill("input[name=A2]", "3")
    page.click(".resp-nav [data-next]")
    page.wait_for_selector("#form-error:not([hidden])")
    assert attempts == ["application/json"] * 3
    messages = page.evaluate("JSON.parse(document.getElementById('survey-messages').text)")
    assert page.inner_text("#form-error") == messages["notSaved"]
    assert page.is_checked("input[name=A1][value='1']")
    assert page.input_value("input[name=A2]") == "3"
    assert page.url.endswith("/A/") and not Response.objects.exists()
    page.unroute("**/answer/A/")
    # The server's checks are shown where they belong: here, a question the page's own
    # checks were told to skip, and a form state that no longer matches.
    page.evaluate("document.querySelector('#q-A1').removeAttribute('data-required')")
    page.evaluate("document.querySelectorAll('input[name=A1]').forEach(i => i.checked = false)")
    page.click(".resp-nav [data-next]")
    page.wait_for_selector("#q-A1.has-error")
    assert page.inner_text("#q-A1 .q-error") == messages["required"]
    assert page.inner_text("#form-error") == messages["checkHighlighted"]
    page.check("input[name=A1][value='1']")
    page.evaluate("document.querySelector('.survey-page.current').dataset.formState = 'x'")
    page.click(".resp-nav [data-next]")
    page.wait_for_selector("#form-error:not([hidden])", state="attached")
    page.wait_for_selector("form.survey:not([aria-busy=true])", state="attached")
    assert page.inner_text("#form-error") not in (messages["checkHighlighted"], "")
    assert page.url.endswith("/A/") and not Response.objects.exists()
    page.reload()
    _mark(page)
    page.check("input[name=A1][value='1']")
    page.fill("input[name=A2]", "3")
    _next(page)
    assert page.url.endswith("/B/") and Response.objects.get().answers == {"A1": "1", "A2": 3}
    # The wave closes while the respondent is on page B: the next save shows why.
    Wave.objects.filter(pk=invitation.wave_id).update(status="closed")
    page.fill("input[name=B1]", "40")
    with page.expect_navigation():
        page.click(".resp-nav [data-next]")
    assert page.url.endswith("/B/") and "调查" in page.inner_text("main")
    assert page.query_selector("form.survey") is None
    context.close()
