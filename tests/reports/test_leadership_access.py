"""Leadership reaches briefings and nothing else: every other page and API endpoint of
the site — raw responses, datasets, exports, monitoring, station pages — answers 403 or
404 (405 for a method the URL does not take). URLs are found by walking the resolver,
so a page added later without a role check fails here."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from survey_platform.fieldwork.models import Response
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

#: What leadership may open: the briefings, and pages with no survey data at all.
ALLOWED = {
    "home", "login", "logout", "set_language", "healthz",
    "api-schema", "api-docs", "api-redoc", "api:me", "api:not-found",
    "api:briefing-list", "api:briefing-detail", "api:briefing-pdf",
    "api:region-list", "api:region-detail", "api:sector-list", "api:sector-detail",
    "reports:portal", "reports:pdf",
    "api:token-list", "api:token-detail",  # their own API tokens
    # the public respondent pages (an answer code is needed; nothing of others is shown)
    "respondent-start", "respondent-resume", "respondent-page", "respondent-done",
    "respondent-code", "respondent-open", "api:respondent-open", "api:respondent-session",
    "api:respondent-form", "api:respondent-page", "api:respondent-submit",
}  # fmt: skip
REFUSED = (403, 404, 405)


def _walk(resolver: URLResolver, prefix: str = "", ns: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _walk(
                p, prefix + str(p.pattern), ns + (f"{p.namespace}:" if p.namespace else "")
            )
        elif isinstance(p, URLPattern) and p.name:
            yield ns + p.name, prefix + str(p.pattern)


def _fill(pattern: str, values: dict[str, str]) -> str:
    path = pattern.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m.group(1), "1"), path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), path)
    return "/" + path


URLS = sorted(
    (name, pattern) for name, pattern in _walk(get_resolver()) if not name.startswith("admin:")
)


@pytest.fixture
def world(open_wave, station_a):
    quota = open_wave.quotas.get(station=station_a)
    response = Response.objects.create(
        wave=open_wave,
        station=station_a,
        instrument_version=open_wave.instrument_version,
        answers={"A1": "1"},
        status="complete",
    )
    return {
        "code": open_wave.code,
        "pk": str(quota.pk),
        "id": str(response.pk),
        "action": "close",
        "public_id": "00000000-0000-0000-0000-000000000001",
    }


def test_the_walk_finds_the_raw_response_endpoints():
    names = {name for name, _p in URLS}
    assert {"api:response-list", "api:response-detail", "fieldwork:grievances",
            "fieldwork:station-dashboard", "reports:list"} <= names  # fmt: skip


@pytest.mark.parametrize(("name", "pattern"), [u for u in URLS if u[0] not in ALLOWED])
def test_leadership_is_refused(world, leader, name, pattern):
    url = _fill(pattern, {**world, "pk": world["id"] if "response" in name else world["pk"]})
    client = client_for(leader)
    for method in ("get", "post"):
        status = getattr(client, method)(url).status_code
        assert status in REFUSED, (name, url, method, status)
