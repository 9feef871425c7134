"""Text that is never valid, already in the database, never breaks a wave.

The bad answers are planted directly in the table (``QuerySet.update``), as if saved
before the checks existed or by hand. Every reader of the wave must still answer: every
export format, the results and grievance API, the grievance and quality pages, a
briefing job, the respondent's own page. The bad responses are set aside (flagged
``invalid_text``, counted) and every good one is still there.

PostgreSQL's jsonb cannot hold a NUL or a lone surrogate (that is why they were a 500 at
input there), so on PostgreSQL only the kinds it can store are planted.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import translation

from reports import services as report_services
from survey_platform.exports import services as export_services
from survey_platform.fieldwork.dataset import load_or_build, wave_dataset
from survey_platform.fieldwork.models import Invitation, Response
from survey_platform.fieldwork.quality import (
    Flag,
    analysable_responses,
    set_aside_count,
    wave_flag_quality,
)
from survey_platform.jobs.models import JobStatus
from tests.conftest import client_for
from tests.fieldwork.test_invalid_text_refused import api, browser
from tests.reports.helpers import add_responses, make_stations, make_wave

pytestmark = pytest.mark.django_db

PER_STATION = 40
#: What each kind of bad text looks like inside an open answer.
BAD = {
    "surrogate": "MARK工资太低\ud800",
    "nul": "MARK工资\x00太低",
    "noncharacter": "MARK工资太低\uffff\ufdd0",
    "long": "MARK" + "长" * 20_000,
}


def storable() -> list[str]:
    """The kinds the test database can hold (jsonb refuses NUL and lone surrogates)."""
    if connection.vendor == "postgresql":
        return ["noncharacter", "long"]
    return list(BAD)


@pytest.fixture
def stations(db):
    return make_stations(4)


@pytest.fixture
def wave(office, standard_version, stations):
    wave = make_wave(office, standard_version, stations, "2026-BAD")
    add_responses(wave, stations, per_station=PER_STATION, seed=7)
    return wave


def plant(wave, kinds: list[str]) -> list[int]:
    """Put one kind of bad text in the open answer of one complete response each."""
    ids = list(
        Response.objects.filter(wave=wave).order_by("station_id", "id").values_list("pk", flat=True)
    )[:: PER_STATION + 1][: len(kinds)]
    for pk, kind in zip(ids, kinds, strict=True):
        answers = Response.objects.get(pk=pk).answers
        Response.objects.filter(pk=pk).update(answers={**answers, "K1": BAD[kind]})
    return ids


@pytest.mark.parametrize("kind", list(BAD))
def test_the_dataset_sets_a_bad_response_aside_and_flags_it(wave, kind):
    total = Response.objects.filter(wave=wave).count()
    if kind not in storable():
        # PostgreSQL's jsonb refuses this text itself: it cannot poison the wave there.
        with pytest.raises(DatabaseError), transaction.atomic():
            plant(wave, [kind])
        assert load_or_build(wave, rebuild=True).dataset.n == total
        return
    (bad,) = plant(wave, [kind])
    report = load_or_build(wave, rebuild=True)
    assert report.dataset.n == total - 1
    assert Flag.INVALID_TEXT in Response.objects.get(pk=bad).quality_flags
    assert set_aside_count(wave) == 1
    assert not analysable_responses(wave).filter(pk=bad).exists()
    # Included-flagged datasets leave it out too: it can never be printed.
    assert wave_dataset(wave, include_flagged=True).n == total - 1


def test_the_quality_check_flags_it_without_failing(wave):
    kinds = storable()
    ids = plant(wave, kinds)
    summary = wave_flag_quality(wave=wave)
    assert summary.counts[Flag.INVALID_TEXT] == len(kinds)
    flagged = Response.objects.filter(pk__in=ids).values_list("quality_flags", flat=True)
    assert all(Flag.INVALID_TEXT in flags for flags in flagged)
    # A second run changes nothing; the flag is not lost.
    assert wave_flag_quality(wave=wave).changed == 0


def _export(office, wave, fmt: str, capture):
    with capture(execute=True):
        job = export_services.export_start(actor=office, wave=wave, fmt=fmt, language="en")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, (fmt, job.error)
    return Path(job.result.path)


def test_no_reader_of_the_wave_fails(wave, office, django_capture_on_commit_callbacks, settings):
    settings.BRIEFING_MIN_RESPONSES = 50
    kinds = storable()
    total = Response.objects.filter(wave=wave).count()
    plant(wave, kinds)
    good = total - len(kinds)
    capture = django_capture_on_commit_callbacks

    # Every export format: the good rows are all there, the bad ones are not.
    with (_export(office, wave, "csv", capture)).open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 1 + good
    flat = "".join("".join(row) for row in rows)
    assert "MARK" not in flat and "\ufffd" not in flat
    for fmt in ("xlsx", "sav", "dta"):
        assert _export(office, wave, fmt, capture).stat().st_size > 0
    codebook = _export(office, wave, "codebook", capture)
    assert zipfile.is_zipfile(codebook)
    assert set_aside_count(wave) == len(kinds)

    # The API's results and grievances, the grievance and quality pages.
    api = client_for(office)
    with translation.override("en"):
        results = api.get(f"/api/v1/waves/{wave.code}/results/", {"variable": "B1"})
        assert results.status_code == 200, results.content[:300]
        grievances = api.get(f"/api/v1/waves/{wave.code}/grievances/")
        assert grievances.status_code == 200, grievances.content[:300]
        page = api.get(reverse("fieldwork:grievances", args=[wave.code]))
        assert page.status_code == 200
        quality = api.get(reverse("fieldwork:quality", args=[wave.code]), HTTP_ACCEPT_LANGUAGE="en")
    assert quality.status_code == 200
    html = quality.content.decode()
    assert "Invalid text" in html
    assert f'<dd id="set-aside">{len(kinds)}</dd>' in html

    # A briefing of the wave.
    with capture(execute=True):
        job = report_services.briefing_generate(wave=wave, language="en", actor=office)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error


def test_the_respondents_own_page_survives_stored_bad_text(wave, stations):
    """A partial response with bad text: its page, the API form, and a save that heals."""
    invitation = Invitation.objects.create(wave=wave, station=stations[0], channel="print")
    client = browser(invitation)
    key = api(invitation)
    saved = key.post("/api/v1/respondent/pages/K/", {"answers": {"K1": "经费太少"}}, format="json")
    assert saved.status_code == 200, saved.content[:300]
    kinds = storable()
    response = Response.objects.get(wave=wave, status="partial")
    for kind in kinds:
        Response.objects.filter(pk=response.pk).update(
            answers={**response.answers, "K1": BAD[kind], "K2": BAD[kinds[0]]}
        )
        page = client.get("/answer/K/")
        assert page.status_code == 200, kind
        assert "MARK" not in page.content.decode()
        form = key.get("/api/v1/respondent/form/")
        assert form.status_code == 200 and "K1" not in form.json()["answers"], kind
    # Saving the page again replaces what cannot be shown.
    again = key.post("/api/v1/respondent/pages/K/", {"answers": {"K1": "重新填写"}}, format="json")
    assert again.status_code == 200
    stored = Response.objects.get(pk=response.pk).answers
    assert stored["K1"] == "重新填写" and "K2" not in stored
