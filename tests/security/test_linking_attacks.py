"""Replayed attacks of a hostile station officer (or anyone reading logs) who tries to tie a
named colleague to their answers. Each must fail to link (docs/privacy.md).

* differencing station exports taken before and after one named person completes;
* differencing two station feedback reports around one completion;
* matching rows of two exports by their ids or their order;
* following the answer code through later URLs (access logs, Referer headers);
* matching wall-clock times of a response against a log or a sighting.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from reports.station import station_report
from survey_platform.exports import services as export_services
from survey_platform.fieldwork.codes import codes_issue_for
from survey_platform.fieldwork.models import FIELD_TZ, Invitation, Response
from survey_platform.fieldwork.releases import RELEASE_SIZE, release_if_due, releases_catch_up
from tests.exports import conftest as exports
from tests.exports.conftest import add_responses, make_wave
from tests.factories import MembershipFactory, add_simulated_responses

pytestmark = pytest.mark.django_db

ID_COLUMN = "response_id"


# The export tests' stations and job runner, as fixtures of this module too.
stations = exports.stations
run_export = exports.run_export


@pytest.fixture
def wave(office, standard_version, stations):
    wave = make_wave(office, standard_version, stations, code="2026-AT")
    add_responses(wave, stations, per_station=20, seed=9)
    releases_catch_up(wave)  # 20 per station, released at once
    return export_services.wave_set_station_exports(actor=office, wave=wave, allowed=True)


@pytest.fixture
def officer(stations):
    return MembershipFactory(station=stations[0], user__username="hostile_officer").user


def complete_one(wave, station, seed: int) -> None:
    """One more colleague submits: a complete response, then what the submit does next."""
    add_simulated_responses(wave, [station], per_station=1, seed=seed)
    release_if_due(wave.pk, station.pk)


def station_export(run_export, officer, wave, station) -> list[dict[str, str]]:
    job = run_export(actor=officer, wave=wave, fmt="csv", station=station)
    assert job.status == "done", job.error
    text = Path(job.result.path).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def without_ids(
    rows: list[dict[str, str]], skip: tuple[str, ...] = ()
) -> Counter[tuple[tuple[str, str], ...]]:
    dropped = {ID_COLUMN, *skip}
    return Counter(tuple(sorted((k, v) for k, v in r.items() if k not in dropped)) for r in rows)


def test_export_differencing_around_one_completion_isolates_nobody(
    wave, officer, stations, run_export
):
    before = station_export(run_export, officer, wave, stations[0])
    complete_one(wave, stations[0], seed=101)
    after = station_export(run_export, officer, wave, stations[0])
    # The newcomer's row is not there: the two files hold the same rows.
    assert len(after) == len(before) == 20
    assert without_ids(after) == without_ids(before)
    # Only when k colleagues have completed does the file change, by k rows at once.
    for seed in range(102, 102 + RELEASE_SIZE - 1):
        complete_one(wave, stations[0], seed=seed)
    released = station_export(run_export, officer, wave, stations[0])
    assert len(released) == 20 + RELEASE_SIZE
    # (The weights of everyone change with the station's count; the answers do not.)
    added = without_ids(released, ("weight",)) - without_ids(before, ("weight",))
    assert sum(added.values()) == RELEASE_SIZE


def test_two_exports_cannot_be_matched_row_by_row(wave, officer, stations, run_export):
    first = station_export(run_export, officer, wave, stations[0])
    second = station_export(run_export, officer, wave, stations[0])
    assert without_ids(first) == without_ids(second)  # the same data ...
    assert not {r[ID_COLUMN] for r in first} & {r[ID_COLUMN] for r in second}  # ... no shared id
    order_first = [tuple(sorted(r.items()))[1:] for r in first]
    order_second = [tuple(sorted(r.items()))[1:] for r in second]
    assert order_first != order_second  # and another order (20! orders: never equal by chance)
    # Nothing in a row is a time finer than the day (there is no time column at all).
    assert not any("submitted" in name or "started" in name for name in first[0])


def test_feedback_report_differencing_around_one_completion_isolates_nobody(wave, stations):
    quota = wave.quotas.get(station=stations[0])
    before = station_report(quota, "zh-hans")
    complete_one(wave, stations[0], seed=201)
    after = station_report(quota, "zh-hans")
    figures = [(line.label, line.station, line.city) for line in before.lines]
    assert figures == [(line.label, line.station, line.city) for line in after.lines]
    # The progress sentence counts completes (as the invitations page does), not answers.
    assert before.lines and after.lines


def test_city_column_moves_only_with_a_whole_release(wave, stations):
    quota = wave.quotas.get(station=stations[1])
    before = station_report(quota, "zh-hans")
    for seed in range(300, 300 + RELEASE_SIZE - 1):
        complete_one(wave, stations[0], seed=seed)  # another station: 9 completes
    after = station_report(quota, "zh-hans")
    assert [x.city for x in before.lines] == [x.city for x in after.lines]


def test_station_staff_see_released_completes_only_in_the_api(wave, officer, stations):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(officer)
    url = reverse("api:response-list") + f"?wave={wave.code}&page_size=500"

    def listed() -> int:
        return client.get(url).json()["count"]

    assert listed() == 20
    complete_one(wave, stations[0], seed=401)
    Response.objects.create(  # a colleague who has just started
        wave=wave, station=stations[0], instrument_version=wave.instrument_version
    )
    assert listed() == 20


# --- the code never travels again, and nothing keeps a time --------------------------------


@pytest.fixture
def respondent_wave(office, small_definition, station_a):
    from tests.fieldwork.test_invitations import make_quotas

    return make_quotas(office, small_definition, [station_a])[0]


def test_the_code_is_in_the_first_url_only(respondent_wave, settings):
    invitation = Invitation.objects.create(
        wave=respondent_wave.wave, station=respondent_wave.station, channel="print"
    )
    code = codes_issue_for([invitation], revoke_sessions=False)[0]
    client = Client()
    paths = [f"/a/{code.token}/"]
    response = client.get(paths[0])
    bodies = []
    while response.status_code == 302:
        paths.append(response["Location"])
        response = client.get(paths[-1])
    bodies.append(response.content.decode())
    page = paths[-1]
    posted = client.post(
        page,
        {"A1": "2", "form_state": _state(bodies[-1]), "action": "next"},
        HTTP_ACCEPT="application/json",
    )
    assert posted.status_code == 200, posted.content
    paths.append(posted.json()["url"])
    later = paths[1:]
    assert later and all(code.token not in p and code.short_code not in p for p in later)
    assert all(code.token not in body for body in bodies)
    # The key the browser holds instead is signed by the server and is not the code.
    key = client.cookies["sv_respondent"].value
    assert code.token not in key and code.short_code not in key


def test_a_response_keeps_days_not_times(respondent_wave):
    invitation = Invitation.objects.create(
        wave=respondent_wave.wave, station=respondent_wave.station, channel="print"
    )
    code = codes_issue_for([invitation], revoke_sessions=False)[0]
    client = Client()
    client.get(f"/a/{code.token}/", follow=True)
    page = client.get("/answer/A/").content.decode()
    client.post("/answer/A/", {"A1": "2", "form_state": _state(page), "action": "next"})
    response = Response.objects.get()
    for moment in (response.started_at, response.updated_at):
        local = moment.astimezone(FIELD_TZ)
        assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)


def _state(html: str) -> str:
    import re

    return re.search(r'name="form_state" value="([^"]+)"', html).group(1)
