"""A small world for the API tests: two stations with staff, an open wave with quotas,
answer codes (fresh and used), responses, jobs, a draft questionnaire version and an API
token per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class World:
    office: Any
    leader: Any
    officer_a: Any
    officer_b: Any
    nobody: Any
    station_a: Any
    station_b: Any
    wave: Any
    quota_a: Any
    quota_b: Any
    version: Any
    draft: Any
    # Answer codes as issued (fieldwork.codes.IssuedCode: .token, .short_code, .display and
    # the .invitation), since the database keeps only their hashes:
    fresh_code: Any  # an unused printed code of station A
    used_code: Any  # a code of station A whose response was submitted
    started_code: Any  # a code of station A with a saved, complete page (ready to submit)
    code_b: Any
    response_a: Any
    response_b: Any
    job_a: Any
    job_b: Any
    job_office: Any
    briefing: Any  # delivered: leadership sees it
    keys: dict[str, str] = field(default_factory=dict)

    def user(self, role: str) -> Any:
        return {"office": self.office, "station": self.officer_a, "leader": self.leader,
                "nobody": self.nobody}.get(role)  # fmt: skip

    @staticmethod
    def respondent_key(code: Any) -> str:
        """The respondent key the server hands out for this code (what
        POST /api/v1/respondent/session/ answers), made without entering the code."""
        from survey_platform.fieldwork.codes import invitation_key

        return invitation_key(code.invitation)


def _job(kind: str, station: Any, wave: Any, user: Any) -> Any:
    from django.core.files.base import ContentFile

    from survey_platform.jobs.models import Job, JobStatus

    job = Job.objects.create(kind=kind, status=JobStatus.DONE, progress=100, station=station,
                             wave=wave, created_by=user, result_name="out.csv",
                             result_type="text/csv")  # fmt: skip
    job.result.save("out.csv", ContentFile(b"a,b\n1,2\n"))
    return job


def _save_page(code: Any, answers: dict[str, Any]) -> None:
    from survey_platform.api.respondent import as_form_data
    from survey_platform.fieldwork import respondent

    session = respondent.session_for_key(World.respondent_key(code))
    _response, problems = respondent.response_save_page(
        session=session, page_code="A", data=as_form_data(answers), language="zh-hans"
    )
    assert not problems


def _briefing(wave: Any) -> Any:
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from reports.models import Briefing

    pdf = b"%PDF-1.4 test briefing"
    briefing = Briefing(
        number=1,
        wave=wave,
        title="简报第1期",
        status="delivered",
        delivered_at=timezone.now(),
        content_hash=hashlib.sha256(pdf).hexdigest(),
    )
    briefing.pdf.save("briefing.pdf", ContentFile(pdf), save=False)
    briefing.save()
    return briefing


@pytest.fixture
def world(office, leader, officer_a, officer_b, station_a, station_b, open_wave,
          published_version, small_definition) -> World:  # fmt: skip
    from django.utils import timezone

    from instruments import services as instrument_services
    from survey_platform.api.tokens import token_create
    from survey_platform.fieldwork.models import (
        Invitation,
        InvitationState,
        Response,
        field_day_start,
    )
    from tests.factories import UserFactory
    from tests.fieldwork.fixtures import issue_code

    quota_a = open_wave.quotas.get(station=station_a)
    quota_b = open_wave.quotas.get(station=station_b)
    draft = instrument_services.version_copy(actor=office, version=published_version)
    fresh = issue_code(Invitation.objects.create(wave=open_wave, station=station_a,
                                                 channel="print"))  # fmt: skip
    used = issue_code(Invitation.objects.create(
        wave=open_wave, station=station_a, channel="print", state=InvitationState.COMPLETED
    ))  # fmt: skip
    code_b = issue_code(Invitation.objects.create(wave=open_wave, station=station_b,
                                                  channel="print"))  # fmt: skip
    started = issue_code(Invitation.objects.create(wave=open_wave, station=station_a,
                                                   channel="print"))  # fmt: skip
    _save_page(started, {"A1": "2"})
    now = timezone.now()
    responses = [
        Response.objects.create(
            wave=open_wave,
            station=station,
            instrument_version=published_version,
            answers={"A1": "2"},
            status="complete",
            submitted_at=field_day_start(now),
            duration_seconds=30,
            # Released to station-level outputs (fieldwork/releases.py), so that the
            # station's view of the listing has rows to scope.
            release=1,
        )
        for station in (station_a, station_b)
    ]
    nobody = UserFactory(username="nobody")
    world = World(
        office=office,
        leader=leader,
        officer_a=officer_a,
        officer_b=officer_b,
        nobody=nobody,
        station_a=station_a,
        station_b=station_b,
        wave=open_wave,
        quota_a=quota_a,
        quota_b=quota_b,
        version=published_version,
        draft=draft,
        fresh_code=fresh,
        used_code=used,
        started_code=started,
        code_b=code_b,
        response_a=responses[0],
        response_b=responses[1],
        job_a=_job("export", station_a, open_wave, officer_a),
        job_b=_job("export", station_b, open_wave, officer_b),
        job_office=_job("briefing", None, open_wave, office),
        briefing=_briefing(open_wave),
    )
    for role in ("office", "station", "leader", "nobody"):
        world.keys[role] = token_create(actor=None, user=world.user(role), name=role)[1]
    return world


def api_client(world: World | None, role: str | None) -> Any:
    """A DRF test client sending the role's API token (anonymous for None)."""
    from rest_framework.test import APIClient

    client = APIClient()
    if world is not None and role in world.keys:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.keys[role]}")
    return client


def respondent_client(world: World, code: Any) -> Any:
    """An anonymous DRF test client sending the respondent key of ``code`` (an
    IssuedCode) in the X-Respondent-Key header."""
    client = api_client(None, None)
    client.credentials(HTTP_X_RESPONDENT_KEY=world.respondent_key(code))
    return client
