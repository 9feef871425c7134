"""The Content-Security-Policy on every page (and its two one-view exceptions), no inline
script or style in templates, and Secure cookies in the production profile."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.urls import reverse

from survey_platform.core import csp

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def test_the_policy_is_the_strict_one(settings):
    from django.utils.csp import build_policy

    assert build_policy(settings.SECURE_CSP) == EXPECTED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/accounts/login/", "/admin/login/", "/code/", "/api/v1/me/", "/no-such-page/"]
)
def test_anonymous_pages_carry_the_policy(client, url):
    assert client.get(url).headers["Content-Security-Policy"] == EXPECTED


@pytest.mark.django_db
def test_a_refused_request_carries_the_policy(client):
    resp = client.get("/", HTTP_HOST="evil.example")
    assert resp.status_code == 400
    assert resp.headers["Content-Security-Policy"] == EXPECTED


@pytest.mark.django_db
def test_office_and_station_pages_carry_the_policy(client, office, officer_a, station_a):
    client.force_login(office)
    for url in ("/", reverse("network:station-list"), reverse("fieldwork:waves"), "/audit/"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert resp.headers["Content-Security-Policy"] == EXPECTED
    client.force_login(officer_a)
    resp = client.get(reverse("fieldwork:my-waves"))
    assert resp.headers["Content-Security-Policy"] == EXPECTED


@pytest.mark.django_db
def test_swagger_ui_runs_under_the_strict_policy(client, office):
    client.force_login(office)
    page = client.get("/api/docs/")
    assert page.headers["Content-Security-Policy"] == EXPECTED
    html = page.content.decode()
    assert "<style" not in html and not re.search(r"<script>\s*\S", html)
    script = re.search(r'<script src="([^"]*script=[^"]*)"', html)
    assert script, html
    start = client.get(script.group(1).replace("&amp;", "&"))
    assert start.status_code == 200 and "SwaggerUIBundle" in start.content.decode()


@pytest.mark.django_db
def test_redoc_alone_may_inject_styles(client, office):
    client.force_login(office)
    policy = client.get("/api/redoc/").headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "googleapis" not in client.get("/api/redoc/").content.decode()


def test_the_briefing_pdf_may_be_framed_by_the_site_only():
    from django.utils.csp import build_policy

    policy = build_policy(csp.FRAMED_BY_SITE)
    assert "frame-ancestors 'self'" in policy and "script-src 'self';" in policy


# --- templates and static files ---------------------------------------------------------

TEMPLATE_DIRS = ["survey_platform", "instruments", "reports"]
# E-mails (read in a mail client, not under the policy) and PDF sources (rendered by
# WeasyPrint on the server) may keep their inline styles.
NOT_PAGES = re.compile(r"/email/|_pdf\.html$|/pdf/|_slip_style\.html$")


def _templates() -> list[Path]:
    found = []
    for top in TEMPLATE_DIRS:
        for path in (ROOT / top).rglob("templates/**/*"):
            if path.suffix in (".html", ".svg") and not NOT_PAGES.search(path.as_posix()):
                found.append(path)
    return found


def test_no_template_has_inline_script_handlers_or_styles():
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>",
            r"\son[a-z]+\s*=",
            r"\sstyle\s*=",
            r"<style\b",
            r"javascript:",
        ):
            if re.search(pattern, text, re.IGNORECASE):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not offenders, offenders


def test_every_custom_cookie_is_secure_behind_https():
    offenders = []
    for path in list((ROOT / "survey_platform").rglob("*.py")) + list(
        (ROOT / "reports").rglob("*.py")
    ):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\.set_cookie\(", text):
            call = text[match.end() : match.end() + 400].split("\n\n")[0]
            if "secure=" not in call:
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


PRODUCTION_COOKIES = textwrap.dedent(
    """
    import django
    django.setup()
    from django.conf import settings
    # Static files uncollected here: plain storage, so pages render without a manifest
    # (nothing else of the production profile changes).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.test import Client
    print("settings", settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,
          settings.LANGUAGE_COOKIE_SECURE)
    client = Client(HTTP_HOST="survey.example.cn")
    page = client.get("/accounts/login/", secure=True)
    print("csrf", page.cookies["csrftoken"]["secure"])
    print("csp", page.headers["Content-Security-Policy"])
    chosen = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
    print("language", chosen.cookies["django_language"]["secure"])
    """
)


def test_production_cookies_are_secure(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment.update(
        DJANGO_SETTINGS_MODULE="survey_platform.settings.production",
        SECRET_KEY="9fQ2xZ7pL0vB5nM8cR3tY6wE1uI4oA-" * 2,
        ANSWER_CODE_KEY="2hT6yU1iO9pA4sD7fG3jK8lZ5xC0vB-" * 2,
        ALLOWED_HOSTS="survey.example.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_COOKIES],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["settings"] == "True True True"
    assert lines["csrf"] == "True"
    assert lines["language"] == "True"
    assert lines["csp"] == EXPECTED
