"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

`make test` installs the chromium package when it is missing, so a machine without it
fails loudly here instead of skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    assert os.path.exists(path), "Chromium is missing: run `make test`, which installs it."
    # Playwright's sync API runs an event loop; Django must allow ORM calls beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each journey logs in several times from 127.0.0.1; the per-address login limit
    (core/auth_views.py) counts in the shared cache, which outlives a test."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def new_context(browser):
    """Open browser contexts (one per person or device), all closed after the test."""
    opened = []

    def make(*, viewport: dict[str, int], locale: str = "zh-CN"):
        context = browser.new_context(locale=locale, viewport=viewport, accept_downloads=True)
        # Another test run may share the CPU: a PDF or a briefing can take a while.
        context.set_default_timeout(60_000)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    tab = context.new_page()
    yield tab
    context.close()


def login(page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button.primary")
    page.wait_for_url(base_url + "/")
