"""Every URL pattern of the site, as every role and as another station's officer.

The list of patterns is read from the URL resolver, so a new page is walked the day it is
added; a pattern whose parameters this test cannot fill fails the test (add it to
``PARAMS``). The REST API has its own, finer matrix (tests/api); the admin is Django's.

For each pattern and each client — anonymous, a user with no role, leadership, the
officer of station A (who owns the objects), the officer of station B, the office — a GET
and an empty POST are sent. The rules:

* nothing ever answers 5xx;
* anonymous users reach only the public pages (log-in, health, the respondent form);
* a user with no role, and leadership, reach nothing outside their allow-lists;
* station B's officer never gets a 2xx for anything that belongs to station A;
* a refused POST changes nothing (row counts and states of the main tables).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver

from survey_platform.fieldwork.respondent_views import KEY_COOKIE
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("admin/", "api/v1/", "i18n/")
PUBLIC = {
    "login",
    "healthz",
    "respondent-start",
    "respondent-resume",
    "respondent-page",
    "respondent-done",
    "respondent-code",
    "respondent-open",
    "api-schema",
    "api-docs",
    "api-redoc",
}
#: What a user with no role may open: the home page (empty) and public pages.
NO_ROLE_OK = PUBLIC | {"home", "logout"}
#: Leadership: home, the briefing portal and delivered PDFs, nothing raw.
LEADER_OK = NO_ROLE_OK | {"reports:portal", "reports:pdf"}
#: Patterns whose object belongs to station A (B's officer must never get a 2xx).
STATION_A_OBJECTS = re.compile(
    r"^(network:station-detail|network:station-update|network:membership-|fieldwork:station-"
    r"|fieldwork:invitations|fieldwork:roster|fieldwork:codes|fieldwork:reminders|fieldwork:open-"
    r"|fieldwork:code-reissue|fieldwork:slips-|fieldwork:poster|job-|reports:station-report"
    r"|exports:station)"
)


def patterns(resolver=None, prefix: str = "", ns: str = ""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from patterns(p, prefix + str(p.pattern), p.namespace or ns)
        elif isinstance(p, URLPattern):
            name = f"{ns}:{p.name}" if ns and p.name else (p.name or "")
            yield prefix + str(p.pattern), name, p


@pytest.fixture
def world(
    office,
    officer_a,
    officer_b,
    station_a,
    station_b,
    open_wave,
    invitation,
    invitation_code,
    leader,
    django_capture_on_commit_callbacks,
):
    from django.contrib.auth import get_user_model

    from survey_platform.fieldwork import invitations as inv_services
    from survey_platform.jobs.models import Job, JobStatus
    from survey_platform.network.models import StationMembership

    quota_a = open_wave.quotas.get(station=station_a)
    inv_services.open_link_set(actor=office, quota=quota_a, enabled=True)
    quota_a.refresh_from_db()
    job = Job.objects.create(
        kind="export", station=station_a, wave=open_wave, status=JobStatus.DONE
    )
    from reports import services as briefing_services

    briefing = briefing_services.briefing_record(
        job=None,
        wave=open_wave,
        language="zh-hans",
        number=briefing_services.issue_number_for(open_wave),
        title="测试简报",
        pdf=b"%PDF-1.4 walk test",
        pages=1,
        summary={},
    )
    briefing_services.briefing_approve(briefing=briefing, actor=office)
    with django_capture_on_commit_callbacks(execute=True):
        briefing_services.briefing_deliver(
            briefing=briefing, actor=office, recipients=["l@example.cn"], base_url="http://t/"
        )
    briefing.refresh_from_db()
    assert briefing.status == "delivered"
    version = open_wave.instrument_version
    page = version.definition["groups"][0]["code"]
    norole = get_user_model().objects.create_user("norole", password="x-Password-123")
    return {
        "users": {
            "anonymous": None,
            "norole": norole,
            "leader": leader,
            "officer_a": officer_a,
            "officer_b": officer_b,
            "office": office,
        },
        "quota_a": quota_a,
        "values": {
            "pk:network": station_a.pk,
            "membership_pk": StationMembership.objects.get(user=officer_a).pk,
            "pk:instruments": version.pk,
            "other": version.pk,
            "code:instruments": version.instrument.code,
            "code": open_wave.code,
            "action": "close",
            "pk:fieldwork": quota_a.pk,
            "pk:exports": quota_a.pk,
            "pk:reports": briefing.pk,
            "pk:reports:station-report": quota_a.pk,
            "public_id": job.public_id,
            "token:respondent-start": invitation_code.token,
            "invitation": invitation.pk,
            "page": page,
            "token": quota_a.open_token,
        },
        "invitation": invitation,
    }


def _fill(route: str, name: str, values: dict[str, Any]) -> str | None:
    app = name.split(":")[0] if ":" in name else ""
    out = route
    for _conv, param in re.findall(r"<(?:(\w+):)?(\w+)>", route):
        value = values.get(f"{param}:{name}") or values.get(f"{param}:{app}") or values.get(param)
        if value is None:
            return None
        out = re.sub(rf"<(?:\w+:)?{param}>", str(value), out, count=1)
    return "/" + out


def _respondent_key(invitation) -> str:
    from survey_platform.fieldwork.codes import invitation_key

    invitation.refresh_from_db()  # a reissue in the walk raises the code generation
    return invitation_key(invitation)


def _state() -> list:
    from reports.models import Briefing
    from survey_platform.fieldwork.models import Invitation, Response, StationQuota, Wave
    from survey_platform.jobs.models import Job
    from survey_platform.network.models import Station, StationMembership

    return [
        list(Wave.objects.order_by("pk").values_list("pk", "status")),
        list(StationQuota.objects.order_by("pk").values_list("pk", "target", "completes")),
        list(Invitation.objects.order_by("pk").values_list("pk", "state")),
        Response.objects.count(),
        Job.objects.count(),
        list(Briefing.objects.order_by("pk").values_list("pk", "status")),
        list(Station.objects.order_by("pk").values_list("pk", "name", "active")),
        StationMembership.objects.count(),
    ]


def test_every_url_as_every_role(world):
    walked, unfilled = 0, []
    for route, name, _pattern in patterns():
        if route.startswith(SKIP_PREFIXES) or name in {"logout", "set_language"}:
            continue
        url = _fill(route, name, world["values"])
        if url is None:
            unfilled.append(f"{name} {route}")
            continue
        for who, user in world["users"].items():
            cache.clear()  # rate limits are not what this test is about
            client = client_for(user)
            # Everyone walks as a respondent too: the key cookie of the (current) code.
            client.cookies[KEY_COOKIE] = _respondent_key(world["invitation"])
            before = _state()
            got = client.get(url).status_code
            posted = client.post(url, {}).status_code
            walked += 1
            for method, status in (("GET", got), ("POST", posted)):
                where = f"{method} {url} ({name}) as {who}: {status}"
                assert status < 500, where
                ok = 200 <= status < 300
                if who == "anonymous" and name not in PUBLIC:
                    assert status in (302, 401, 403, 404, 405), where
                if who == "norole":
                    assert not ok or name in NO_ROLE_OK, where
                if who == "leader":
                    assert not ok or name in LEADER_OK, where
                if who == "officer_b" and STATION_A_OBJECTS.match(name):
                    assert status in (403, 404, 405), where
            if who in ("anonymous", "norole", "leader", "officer_b") and name not in PUBLIC:
                assert _state() == before, f"POST {url} ({name}) as {who} changed data"
    assert not unfilled, f"add parameters for: {unfilled}"
    assert walked > 300


def test_every_form_needs_its_csrf_token(world):
    """A POST without the CSRF token is refused (403) on every page, for a signed-in user
    and for a respondent alike; the REST API, which has its own rules, is walked in
    tests/api."""
    from django.test import Client

    refused = 0
    for route, name, _pattern in patterns():
        if route.startswith((*SKIP_PREFIXES, "api/")) or name in {"set_language"}:
            continue
        url = _fill(route, name, world["values"])
        assert url is not None, name
        for user in (world["users"]["office"], None):
            client = Client(enforce_csrf_checks=True)
            if user is not None:
                client.force_login(user)
            before = _state()
            status = client.post(url, {"x": "1"}).status_code
            assert status == 403, f"POST {url} ({name}) without a CSRF token: {status}"
            assert _state() == before
            refused += 1
    assert refused > 100
