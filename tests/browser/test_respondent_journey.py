"""Acceptance: a respondent on a 375 px phone answers the standard questionnaire through
its skip logic, stops half-way, resumes in another browser, submits; the code is then
refused, and the station's dashboard shows one more complete.

With UPDATE_SCREENSHOTS=1 the screenshots are written to docs/screenshots/.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from survey_platform.demo.fieldwork import DEMO_WAVE, demo_invitation
from survey_platform.fieldwork.models import Response, StationQuota, Wave
from tests.browser.conftest import login

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
    for question in page.query_selector_all(".q:not([hidden])"):
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
    button = page.query_selector("button[value=submit]") or page.query_selector(
        "button[value=next]"
    )
    value = button.get_attribute("value")
    button.click()
    page.wait_for_load_state()
    bad = page.query_selector(".q.has-error")
    assert not bad, (bad.get_attribute("data-code"), bad.inner_text())
    return value


def test_phone_respondent_journey(browser, live_server, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    wave = Wave.objects.get(code=DEMO_WAVE)
    invitation = demo_invitation(wave)
    quota = StationQuota.objects.get(wave=wave, station=invitation.station)
    completes_before = quota.completes
    link = f"{live_server.url}/a/{invitation.token}/"

    first = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = first.new_page()
    page.goto(link)
    assert page.is_visible("text=您的性别")
    _shot(page, "respondent-first-page.png", tmp_path)
    # Skip logic, live: funding questions appear only for project holders.
    for _ in range(4):
        _answer_visible(page)
        _next(page)
    page.goto(link)  # what a returning respondent does
    while not page.query_selector("#q-E1"):
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
