"""Bad input: too few responses, a missing CJK font, an unknown edition — refused or
failed with the reason, and nothing half-made is recorded or delivered."""

from __future__ import annotations

import pytest
from django.utils import translation

from reports import fonts, services
from reports.inputs import TooFewResponses
from reports.models import Briefing, IssueNumber
from survey_platform.core.errors import ValidationFailed
from survey_platform.jobs import services as job_services
from survey_platform.jobs.models import JobStatus

from .helpers import add_responses, make_stations, make_wave

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def small_wave(office, standard_version, stations):
    wave = make_wave(office, standard_version, stations, "2026-SMALL")
    add_responses(wave, stations, per_station=5, seed=3)
    return wave


def test_too_few_responses_is_refused_with_the_minimum(small_wave, office, settings):
    settings.BRIEFING_MIN_RESPONSES = 50
    with pytest.raises(TooFewResponses) as caught:
        services.briefing_generate(wave=small_wave, language="zh-hans", actor=office)
    assert "at least 50" in caught.value.message and "has 20" in caught.value.message
    assert not Briefing.objects.exists()


def test_the_job_itself_refuses_too_few_analysable_responses(
    small_wave, office, settings, django_capture_on_commit_callbacks
):
    settings.BRIEFING_MIN_RESPONSES = 50
    with django_capture_on_commit_callbacks(execute=True):  # a job queued by other means
        job = job_services.job_enqueue(
            kind="briefing", actor=office, params={"language": "en"}, wave=small_wave
        )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "at least 50" in job.error and "BRIEFING_MIN_RESPONSES" in job.error
    assert not Briefing.objects.exists() and not job.result


def test_a_missing_cjk_font_fails_the_job_naming_the_font(
    wave, office, settings, django_capture_on_commit_callbacks
):
    settings.BRIEFING_FONTS = {"serif": "Noto Serif CJK Nowhere"}
    with django_capture_on_commit_callbacks(execute=True):
        job = services.briefing_generate(wave=wave, language="zh-hans", actor=office)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Noto Serif CJK Nowhere" in job.error and "not installed" in job.error
    assert not Briefing.objects.exists() and not IssueNumber.objects.exists()
    assert not job.result
    # installed again: the retry makes the briefing
    settings.BRIEFING_FONTS = {}
    with django_capture_on_commit_callbacks(execute=True):
        retry = job_services.job_retry(job=job, actor=office)
    retry.refresh_from_db()
    assert retry.status == JobStatus.DONE, retry.error
    assert Briefing.objects.get().job == retry


def test_without_fontconfig_the_font_is_missing(monkeypatch):
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    monkeypatch.setattr(fonts, "_FOUND", {})
    with pytest.raises(fonts.FontMissing, match="Noto Serif CJK SC"):
        fonts.required_fonts()


def test_unknown_edition_is_refused(wave, office):
    with pytest.raises(ValidationFailed):
        services.briefing_generate(wave=wave, language="fr", actor=office)


def test_a_second_generation_while_one_runs_is_refused(wave, office):
    services.briefing_generate(wave=wave, language="zh-hans", actor=office)  # stays queued
    with pytest.raises(Exception, match="already being generated"):
        services.briefing_generate(wave=wave, language="zh-hans", actor=office)


def test_a_second_station_report_while_one_runs_is_refused(small_wave, office):
    from survey_platform.fieldwork.models import StationQuota
    from survey_platform.jobs.models import Job

    quota = StationQuota.objects.filter(wave=small_wave).first()
    services.station_report_generate(quota=quota, language="zh-hans", actor=office)  # queued
    with pytest.raises(Exception, match="already being generated"):
        services.station_report_generate(quota=quota, language="en", actor=office)
    assert Job.objects.filter(kind="station_report", wave=small_wave).count() == 1


def test_station_report_job_for_a_station_without_a_quota_fails_with_a_reason(small_wave):
    from survey_platform.jobs.models import Job

    (outsider,) = make_stations(1)  # a station with no quota in the wave
    job = Job.objects.create(
        kind="station_report", wave=small_wave, station=outsider, params={"language": "en"}
    )
    assert job_services.job_execute(job_id=job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert "no quota" in job.error and not job.result


def test_export_job_whose_requester_is_gone_fails_with_a_reason(small_wave):
    from survey_platform.jobs.models import Job

    job = Job.objects.create(
        kind="export", wave=small_wave, created_by=None, params={"format": "csv", "language": "en"}
    )
    assert job_services.job_execute(job_id=job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert "no wave, format or requester" in job.error and not job.result
