"""The questionnaire preview in a real browser: skip logic, exclusive options, limits,
constraint messages and page navigation work live, in both languages."""

from __future__ import annotations

import pytest

from instruments import services
from tests.browser.conftest import login
from tests.factories import office_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def preview_url(live_server, small_definition):
    office = office_user(username="office_b")
    instrument = services.instrument_create(actor=office, code="t", name="测试问卷")
    version = services.version_create(
        actor=office, instrument=instrument, definition=small_definition
    )
    return f"/instruments/versions/{version.pk}/preview/"


def test_skip_logic_and_constraint_live(page, live_server, preview_url):
    login(page, live_server.url, "office_b", "correct-horse-battery")
    page.goto(live_server.url + preview_url + "?lang=zh-hans")
    assert page.is_visible("text=您目前主持科研项目吗？")
    assert page.is_hidden("#q-A2")
    page.click("[data-finish]")  # one page only; A1 is required
    assert page.is_visible("#q-A1 .q-error")
    assert "此题必须作答" in page.inner_text("#q-A1 .q-error")
    page.check("input[name=A1][value='1']")
    assert page.is_visible("#q-A2")
    page.fill("input[name=A2]", "25")
    page.click("[data-finish]")
    assert "不超过20项" in page.inner_text("#q-A2 .q-error")
    page.fill("input[name=A2]", "3")
    page.check("input[name=A1][value='2']")
    assert page.is_hidden("#q-A2")
    page.check("input[name=A1][value='1']")
    page.click("[data-finish]")
    result = page.inner_text("#preview-result pre")
    assert '"A1": "1"' in result and '"A2": 3' in result


def test_english_preview(page, live_server, preview_url):
    login(page, live_server.url, "office_b", "correct-horse-battery")
    page.goto(live_server.url + preview_url + "?lang=en")
    assert page.is_visible("text=Do you lead a project?")
    page.check("input[name=A1][value='2']")
    page.click("[data-finish]")
    assert '"A1": "2"' in page.inner_text("#preview-result pre")
