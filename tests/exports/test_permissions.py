"""Who may export what, through the service and the pages; every refusal is a
translated error that leaves nothing behind (no job, no EXPORT audit event)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from survey_platform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from survey_platform.core.models import AuditAction, AuditEvent
from survey_platform.exports import services
from survey_platform.fieldwork.models import Response
from survey_platform.jobs.models import Job, JobStatus
from tests.conftest import client_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def nothing_created() -> bool:
    return (
        not Job.objects.exists()
        and not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    )


def quota_of(wave, station):
    return wave.quotas.get(station=station)


# --- the service -------------------------------------------------------------------------


def test_office_may_export_any_wave_and_it_is_audited(wave, office, run_export):
    job = run_export(actor=office, wave=wave, fmt="sav", language="en")
    assert job.status == JobStatus.DONE and job.station is None and job.created_by == office
    assert job.progress == 100 and job.stage == "Writing the SPSS file"
    assert job.result_type == "application/x-spss-sav"
    assert job.params == {
        "format": "sav", "language": "en", "include_flagged": None, "station": None,
    }  # fmt: skip
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == office and event.object_type == "fieldwork.wave"
    assert event.object_id == str(wave.pk) and event.data["job"] == str(job.public_id)
    assert event.data["audience"] == "office" and event.data["format"] == "sav"


def test_office_may_export_one_station(wave, office, stations, run_export):
    job = run_export(actor=office, wave=wave, fmt="csv", station=stations[2])
    assert job.status == JobStatus.DONE and job.station == stations[2]
    assert job.result_name == f"2026-EX_station{stations[2].pk}_zh.csv"


def test_own_station_officer_when_allowed(wave, allowed, officer, stations, run_export):
    job = run_export(actor=officer, wave=wave, fmt="dta", station=stations[0])
    assert job.status == JobStatus.DONE, job.error
    assert AuditEvent.objects.get(action=AuditAction.EXPORT).data["audience"] == "station"
    assert Job.objects.for_user(officer).filter(pk=job.pk).exists()


def test_own_station_officer_when_not_allowed(wave, officer, stations):
    with pytest.raises(PermissionDenied, match="has not allowed stations to export"):
        services.export_start(actor=officer, wave=wave, fmt="sav", station=stations[0])
    assert nothing_created()


def test_other_station_is_not_found(wave, allowed, officer, stations):
    with pytest.raises(NotFound):
        services.export_start(actor=officer, wave=wave, fmt="sav", station=stations[1])
    assert nothing_created()


def test_station_outside_the_wave_is_not_found(wave, allowed, officer):
    from tests.factories import StationFactory

    elsewhere = StationFactory()
    MembershipFactory(station=elsewhere, user=officer)
    with pytest.raises(NotFound):
        services.export_start(actor=officer, wave=wave, fmt="sav", station=elsewhere)
    assert nothing_created()


def test_station_staff_cannot_export_the_whole_wave(wave, allowed, officer):
    with pytest.raises(PermissionDenied, match="only their own station"):
        services.export_start(actor=officer, wave=wave, fmt="sav")
    assert nothing_created()


def test_station_staff_cannot_include_flagged(wave, allowed, officer, stations):
    with pytest.raises(PermissionDenied, match="flagged by the quality checks"):
        services.export_start(
            actor=officer, wave=wave, fmt="sav", station=stations[0], include_flagged=True
        )
    assert nothing_created()


def test_leadership_never_exports(wave, allowed, leader, stations):
    with pytest.raises(PermissionDenied, match="Only the survey office and station staff"):
        services.export_start(actor=leader, wave=wave, fmt="sav")
    with pytest.raises(NotFound):
        services.export_start(actor=leader, wave=wave, fmt="sav", station=stations[0])
    assert nothing_created()


def test_anonymous_is_refused(wave):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied, match="Log in"):
        services.export_start(actor=AnonymousUser(), wave=wave, fmt="sav")
    assert nothing_created()


@pytest.mark.parametrize(
    ("fmt", "language", "field"), [("spss", "zh-hans", "format"), ("sav", "fr", "language")]
)
def test_bad_parameters(wave, office, fmt, language, field):
    with pytest.raises(ValidationFailed) as info:
        services.export_start(actor=office, wave=wave, fmt=fmt, language=language)
    assert list(info.value.errors) == [field]
    assert "Unknown" in info.value.errors[field][0]
    assert nothing_created()


def test_a_small_station_cannot_export(wave, allowed, officer, stations):
    keep = Response.objects.filter(wave=wave, station=stations[0]).order_by("pk")[:9]
    Response.objects.filter(wave=wave, station=stations[0]).exclude(
        pk__in=[r.pk for r in keep]
    ).delete()
    with pytest.raises(Conflict, match=r"at least 10 of them .* has 9"):
        services.export_start(actor=officer, wave=wave, fmt="sav", station=stations[0])
    assert nothing_created()


def test_a_wave_without_responses_has_no_data_to_export(office, standard_version, stations):
    from .conftest import make_wave

    empty = make_wave(office, standard_version, stations, code="2026-NONE")
    with pytest.raises(Conflict, match="no complete responses"):
        services.export_start(actor=office, wave=empty, fmt="csv")
    assert nothing_created()


def test_the_rules_are_checked_again_when_the_job_runs(
    wave, allowed, office, officer, stations, django_capture_on_commit_callbacks
):
    """Queued while allowed, run after the office withdrew it: the job fails, no file."""
    job = services.export_start(
        actor=officer, wave=wave, fmt="sav", station=stations[0], language="en"
    )  # the job speaks the export's language
    services.wave_set_station_exports(actor=office, wave=wave, allowed=False)
    from survey_platform.jobs.services import job_execute

    assert job_execute(job_id=job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert "has not allowed stations" in job.error and not job.result
    # and a retry by the officer is refused the same way
    with django_capture_on_commit_callbacks(execute=True):
        from survey_platform.jobs.services import job_retry

        again = job_retry(job=job, actor=officer)
    again.refresh_from_db()
    assert again.status == JobStatus.FAILED and "has not allowed stations" in again.error


def test_only_the_office_toggles_station_exports(wave, office, officer):
    with pytest.raises(PermissionDenied):
        services.wave_set_station_exports(actor=officer, wave=wave, allowed=True)
    wave.refresh_from_db()
    assert not wave.stations_may_export
    services.wave_set_station_exports(actor=office, wave=wave, allowed=True)
    wave.refresh_from_db()
    assert wave.stations_may_export
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="fieldwork.wave")
    assert event.data == {"stations_may_export": True}


# --- the pages ---------------------------------------------------------------------------


def wave_url(wave) -> str:
    return reverse("exports:wave", args=[wave.code])


def station_url(wave, station) -> str:
    return reverse("exports:station", args=[quota_of(wave, station).pk])


def test_office_page_starts_a_job(wave, office):
    client = client_for(office)
    page = client.get(wave_url(wave))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="format"' in html and 'id="export-jobs"' in html
    response = client.post(wave_url(wave), {"format": "sav", "language": "en", "flagged": "yes"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("job-detail", args=[job.public_id])
    assert job.params["include_flagged"] is True and job.kind == "export"
    assert str(job.public_id) in client.get(wave_url(wave)).content.decode()


def test_office_page_refusal_shows_the_translated_error(office, standard_version, stations):
    from .conftest import make_wave

    empty = make_wave(office, standard_version, stations, code="2026-NONE")
    client = client_for(office)
    client.cookies["django_language"] = "en"
    response = client.post(wave_url(empty), {"format": "csv", "language": "zh-hans"})
    assert response.status_code == 409
    assert "no complete responses to export" in response.content.decode()
    assert nothing_created()


def test_office_page_refuses_a_bad_format(wave, office):
    response = client_for(office).post(wave_url(wave), {"format": "exe", "language": "zh-hans"})
    assert response.status_code == 400 and nothing_created()


def test_toggle_page(wave, office, officer):
    url = reverse("exports:wave-stations", args=[wave.code])
    assert client_for(officer).post(url, {"allowed": "1"}).status_code == 403
    response = client_for(office).post(url, {"allowed": "1"})
    assert response.status_code == 302
    wave.refresh_from_db()
    assert wave.stations_may_export


def test_station_page_when_allowed(
    wave, allowed, officer, stations, django_capture_on_commit_callbacks
):
    client = client_for(officer)
    url = station_url(wave, stations[0])
    html = client.get(url).content.decode()
    assert 'name="format"' in html and 'name="station"' not in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"format": "csv", "language": "zh-hans"})
    job = Job.objects.get()
    assert response.status_code == 302 and job.station == stations[0]
    assert job.status == JobStatus.DONE, job.error
    assert client.get(reverse("job-download", args=[job.public_id])).status_code == 200


def test_station_page_when_not_allowed(wave, officer, stations):
    client = client_for(officer)
    client.cookies["django_language"] = "en"
    url = station_url(wave, stations[0])
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="export-not-allowed"' in page.content.decode()
    assert 'name="format"' not in page.content.decode()
    response = client.post(url, {"format": "sav", "language": "zh-hans"})
    assert response.status_code == 403
    assert "has not allowed stations to export" in response.content.decode()
    assert nothing_created()


@pytest.mark.parametrize("method", ["get", "post"])
def test_other_station_page_is_404(wave, allowed, other_officer, stations, method):
    url = station_url(wave, stations[0])
    response = getattr(client_for(other_officer), method)(url, {"format": "sav"})
    assert response.status_code == 404 and nothing_created()


@pytest.mark.parametrize("method", ["get", "post"])
def test_leadership_gets_403(wave, allowed, leader, stations, method):
    for url in (wave_url(wave), station_url(wave, stations[0])):
        response = getattr(client_for(leader), method)(url, {"format": "sav"})
        assert response.status_code == 403, url
    assert nothing_created()


@pytest.mark.parametrize("method", ["get", "post"])
def test_station_officer_cannot_open_the_office_page(wave, allowed, officer, method):
    response = getattr(client_for(officer), method)(wave_url(wave), {"format": "sav"})
    assert response.status_code == 403 and nothing_created()


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_goes_to_login(wave, allowed, stations, method):
    for url in (wave_url(wave), station_url(wave, stations[0])):
        response = getattr(client_for(None), method)(url, {"format": "sav"})
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert nothing_created()


def test_export_jobs_of_other_stations_are_not_listed(
    wave, allowed, office, officer, other_officer, stations, run_export
):
    mine = run_export(actor=officer, wave=wave, fmt="csv", station=stations[0])
    theirs = run_export(actor=other_officer, wave=wave, fmt="csv", station=stations[1])
    whole = run_export(actor=office, wave=wave, fmt="csv")
    html = client_for(officer).get(station_url(wave, stations[0])).content.decode()
    assert str(mine.public_id) in html
    assert str(theirs.public_id) not in html and str(whole.public_id) not in html
    for job in (theirs, whole):
        url = reverse("job-download", args=[job.public_id])
        assert client_for(officer).get(url).status_code == 404


def test_links_from_the_wave_pages(wave, office, officer, stations):
    html = client_for(office).get(reverse("fieldwork:wave", args=[wave.code])).content.decode()
    assert wave_url(wave) in html
    my = reverse("fieldwork:my-waves")
    assert station_url(wave, stations[0]) not in client_for(officer).get(my).content.decode()
    services.wave_set_station_exports(actor=office, wave=wave, allowed=True)
    assert station_url(wave, stations[0]) in client_for(officer).get(my).content.decode()
