"""Station releases (fieldwork/releases.py): station-level figures change only when at
least k completes of the station are released together, through the real submit."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from survey_platform.fieldwork.codes import codes_issue_for
from survey_platform.fieldwork.models import Channel, Invitation, Response
from survey_platform.fieldwork.releases import RELEASE_SIZE, release_if_due, releases_catch_up

from .test_invitations import make_quotas

pytestmark = pytest.mark.django_db


@pytest.fixture
def quota(office, small_definition, station_a, station_b):
    cache.clear()
    return make_quotas(office, small_definition, [station_a, station_b])[0]


def submit_one(quota) -> None:
    invitation = Invitation.objects.create(
        wave=quota.wave, station=quota.station, channel=Channel.PRINT
    )
    code = codes_issue_for([invitation], revoke_sessions=False)[0]
    client = Client()
    client.get(f"/a/{code.token}/")
    page = client.get("/answer/A/").content.decode()
    state = re.search(r'name="form_state" value="([^"]+)"', page).group(1)
    done = client.post(
        "/answer/A/",
        {"A1": "2", "form_state": state, "action": "submit", "submission_id": str(uuid.uuid4())},
    )
    assert done.status_code == 302 and done["Location"] == "/thanks/", done.content[:500]


def releases(quota) -> list[int | None]:
    return list(
        Response.objects.filter(station=quota.station, status="complete")
        .order_by("id")
        .values_list("release", flat=True)
    )


def test_completes_are_released_k_at_a_time(quota):
    for _ in range(RELEASE_SIZE - 1):
        submit_one(quota)
    assert releases(quota) == [None] * (RELEASE_SIZE - 1)
    submit_one(quota)
    assert releases(quota) == [1] * RELEASE_SIZE
    for _ in range(RELEASE_SIZE - 1):
        submit_one(quota)
    assert releases(quota).count(None) == RELEASE_SIZE - 1
    submit_one(quota)
    assert releases(quota) == [1] * RELEASE_SIZE + [2] * RELEASE_SIZE


def test_partials_and_other_stations_do_not_count(quota, station_b):
    for _ in range(RELEASE_SIZE - 1):
        submit_one(quota)
    Response.objects.create(
        wave=quota.wave, station=quota.station, instrument_version=quota.wave.instrument_version
    )
    Response.objects.create(
        wave=quota.wave, station=station_b, instrument_version=quota.wave.instrument_version,
        status="complete",
    )  # fmt: skip
    assert release_if_due(quota.wave.pk, quota.station.pk) == 0
    assert releases_catch_up(quota.wave) == 0
    assert set(releases(quota)) == {None}
