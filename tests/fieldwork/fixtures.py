"""Fixtures for the core fieldwork tests (import them into a test module to use them)."""

from __future__ import annotations

from datetime import timedelta

import pytest

# Registered from tests/conftest.py for every test module, so Django is imported inside
# the fixtures: the pure packages' tests must still run with `-p no:django`.


@pytest.fixture
def published_version(office, small_definition):
    from instruments import services as instrument_services

    instrument = instrument_services.instrument_create(
        actor=office, code="fw-test", name="测试问卷"
    )
    version = instrument_services.version_create(
        actor=office, instrument=instrument, definition=small_definition
    )
    return instrument_services.version_publish(actor=office, version=version)


@pytest.fixture
def draft_wave(office, published_version):
    from django.utils import timezone

    from survey_platform.fieldwork import services

    now = timezone.now()
    return services.wave_create(
        actor=office,
        code="2026-Q4",
        title="2026年第四季度调查",
        kind="quick",
        instrument_version=published_version,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )


@pytest.fixture
def open_wave(office, draft_wave, station_a, station_b):
    from survey_platform.fieldwork import services

    services.quota_set(actor=office, wave=draft_wave, station=station_a, target=10)
    services.quota_set(actor=office, wave=draft_wave, station=station_b, target=5)
    return services.wave_open(actor=office, wave=draft_wave)


@pytest.fixture
def quota_a(open_wave, station_a):
    return open_wave.quotas.get(station=station_a)


@pytest.fixture
def invitation(open_wave, station_a):
    from survey_platform.fieldwork.models import Invitation

    return Invitation.objects.create(
        wave=open_wave, station=station_a, channel="email", name="测试人", email="t@example.cn"
    )


@pytest.fixture
def standard_version(office):
    """The standard questionnaire, published (VAR_DIR is private to each test: conftest)."""
    from instruments import services as instrument_services
    from instruments.standard import load_standard

    instrument = instrument_services.instrument_create(actor=office, code="std", name="标准")
    version = instrument_services.version_create(
        actor=office, instrument=instrument, definition=load_standard().to_dict()
    )
    return instrument_services.version_publish(actor=office, version=version)


def issue_code(invitation):
    """A fresh code for ``invitation`` (an IssuedCode: ``.token``, ``.short_code``,
    ``.display``): invitations made with ``Invitation.objects.create`` have none."""
    from survey_platform.fieldwork.codes import codes_issue_for

    return codes_issue_for([invitation], revoke_sessions=False)[0]


def enter(client, token: str) -> str:
    """Come in through the personal link ``/a/<token>/`` as a browser does: the key goes
    into the cookie and the browser on to the page to continue on (through /answer/),
    whose URL this returns. No URL after the entry holds the code."""
    from django.urls import reverse

    start = client.get(reverse("respondent-start", args=[token]))
    assert start.status_code == 302, start.content[:500]
    return to_page(client, start)


def to_page(client, entered) -> str:
    """The page URL a successful entry (a 302 with the key cookie) leads to, following
    the /answer/ redirect when the entry goes there first."""
    from django.urls import reverse

    assert entered.status_code == 302, entered.content[:500]
    url = entered.url
    assert url.startswith(reverse("respondent-resume")), url
    if url == reverse("respondent-resume"):
        resumed = client.get(url)
        assert resumed.status_code == 302, resumed.content[:500]
        url = resumed.url
    return url


def api_key(client, code: str) -> str:
    """The respondent key of an answer code (link token or short code) from the API."""
    reply = client.post(
        "/api/v1/respondent/session/", {"code": code}, content_type="application/json"
    )
    assert reply.status_code == 201, reply.content[:500]
    return reply.json()["key"]


@pytest.fixture
def invitation_code(invitation):
    """The ``invitation`` fixture with a code issued (an IssuedCode)."""
    return issue_code(invitation)
