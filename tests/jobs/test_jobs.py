"""Background jobs: claim exactly once, progress, result, failure, retry, reaper, scope."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from survey_platform.core.errors import Conflict, SurveyError
from survey_platform.core.models import AuditAction, AuditEvent
from survey_platform.jobs import registry, services
from survey_platform.jobs.models import Job, JobStatus
from survey_platform.jobs.registry import JobOutput
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def handlers(monkeypatch):
    """Replace the registry with test handlers the test controls."""
    table: dict = {}
    monkeypatch.setattr(registry, "_HANDLERS", table)
    monkeypatch.setattr(registry, "HANDLER_MODULES", ())
    return table


def _ok(job, progress):
    progress(40, "Half way")
    progress(90, "")
    return JobOutput(filename="out.csv", content_type="text/csv", content=b"a,b\n1,2\n")


def _enqueue(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_enqueue(**kwargs)
    job.refresh_from_db()
    return job


def test_job_runs_once_and_stores_its_file(handlers, office, django_capture_on_commit_callbacks):
    handlers["export"] = _ok
    job = _enqueue(django_capture_on_commit_callbacks, kind="export", actor=office, params={"f": 1})
    assert job.status == JobStatus.DONE
    assert job.progress == 100 and job.attempts == 1 and job.worker
    data = job.result.read()
    assert data == b"a,b\n1,2\n"
    assert job.result_sha256 == hashlib.sha256(data).hexdigest() and job.result_size == len(data)
    # A second delivery of the same id (at-least-once queues) does nothing.
    assert services.job_execute(job_id=job.pk) == "skipped"
    job.refresh_from_db()
    assert job.attempts == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="jobs.job").exists()


def test_claim_is_won_by_one_worker(handlers, office):
    handlers["export"] = _ok
    job = services.job_enqueue(kind="export", actor=office)  # on_commit never fires here
    first = services.job_claim(job_id=job.pk, worker="w1")
    second = services.job_claim(job_id=job.pk, worker="w2")
    assert first is not None and first.worker == "w1"
    assert second is None


def test_unknown_kind_is_refused(handlers, office):
    with translation.override("en"), pytest.raises(SurveyError, match="Unknown job kind"):
        services.job_enqueue(kind="nonsense", actor=office)
    assert not Job.objects.exists()


def test_failure_keeps_reason_and_retry_makes_a_new_job(
    handlers, office, django_capture_on_commit_callbacks
):
    def broken(job, progress):
        progress(10, "")
        raise RuntimeError("disk on fire")

    handlers["export"] = broken
    job = _enqueue(django_capture_on_commit_callbacks, kind="export", actor=office)
    assert job.status == JobStatus.FAILED
    assert "disk on fire" in job.error and not job.result
    handlers["export"] = _ok
    with django_capture_on_commit_callbacks(execute=True):
        again = services.job_retry(job=job, actor=office)
    again.refresh_from_db()
    job.refresh_from_db()
    assert again.retry_of == job and again.status == JobStatus.DONE
    assert job.status == JobStatus.FAILED and "disk on fire" in job.error
    with translation.override("en"), pytest.raises(Conflict, match="Only a failed job"):
        services.job_retry(job=again, actor=office)


def test_domain_error_message_is_kept_translated(
    handlers, office, django_capture_on_commit_callbacks
):
    def refuse(job, progress):
        raise SurveyError("太少的回答")

    handlers["export"] = refuse
    job = _enqueue(django_capture_on_commit_callbacks, kind="export", actor=office)
    assert job.status == JobStatus.FAILED and job.error == "太少的回答"


def test_reaper_requeues_once_then_fails(handlers, office, settings):
    settings.JOB_STALE_SECONDS = 60
    handlers["export"] = _ok
    job = services.job_enqueue(kind="export", actor=office)
    claimed = services.job_claim(job_id=job.pk, worker="dead-1")
    later = timezone.now() + timedelta(seconds=120)
    assert services.jobs_reap_stale(now=later) == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.worker == ""
    # The dead worker comes back to life: its writes are refused, it cannot finish.
    assert services.job_progress(job=claimed, percent=50) is False
    out = JobOutput(filename="x.csv", content_type="text/csv", content=b"x")
    assert services.job_succeed(job=claimed, output=out) is False
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and not job.result
    # Second owner dies too: now the job fails with a reason instead of looping.
    services.job_claim(job_id=job.pk, worker="dead-2")
    later = timezone.now() + timedelta(seconds=120)
    with translation.override("en"):
        assert services.jobs_reap_stale(now=later) == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "dead-2" in job.error


def test_reaper_leaves_live_jobs_alone(handlers, office, settings):
    settings.JOB_STALE_SECONDS = 60
    handlers["export"] = _ok
    job = services.job_enqueue(kind="export", actor=office)
    services.job_claim(job_id=job.pk, worker="alive")
    assert services.jobs_reap_stale() == {"requeued": 0, "failed": 0}


def test_lost_job_stops_the_handler(handlers, office):
    seen = []

    def slow(job, progress):
        Job.objects.filter(pk=job.pk).update(worker="someone-else")  # reaped and re-claimed
        progress(50, "")
        seen.append("continued")
        return JobOutput(filename="x", content_type="text/plain", content=b"x")

    handlers["export"] = slow
    job = services.job_enqueue(kind="export", actor=office)
    assert services.job_execute(job_id=job.pk, worker="me") == "lost"
    assert seen == []


# --- pages ---------------------------------------------------------------------------


@pytest.fixture
def station_job(handlers, office, station_a, django_capture_on_commit_callbacks):
    handlers["export"] = _ok
    return _enqueue(
        django_capture_on_commit_callbacks, kind="export", actor=office, station=station_a
    )


def _urls(job):
    from django.urls import reverse

    return [
        reverse(name, args=[job.public_id]) for name in ("job-detail", "job-status", "job-download")
    ]


def test_office_and_own_station_reach_the_job(station_job, office, officer_a):
    for user in (office, officer_a):
        client = client_for(user)
        for url in _urls(station_job):
            assert client.get(url).status_code == 200, (user, url)
    status = client_for(officer_a).get(_urls(station_job)[1]).json()
    assert status["status"] == "done" and status["progress"] == 100 and status["download_url"]
    downloads = AuditEvent.objects.filter(
        action=AuditAction.DOWNLOAD, object_id=str(station_job.pk)
    )
    assert downloads.count() == 2


def test_other_station_leader_and_anonymous_do_not(station_job, officer_b, leader):
    for user in (officer_b, leader):
        client = client_for(user)
        for url in _urls(station_job):
            assert client.get(url).status_code == 404, (user, url)
    for url in _urls(station_job):
        assert client_for(None).get(url).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_office_job_without_station_is_hidden_from_station_staff(
    handlers, office, officer_a, django_capture_on_commit_callbacks
):
    handlers["export"] = _ok
    job = _enqueue(django_capture_on_commit_callbacks, kind="export", actor=office)
    assert client_for(officer_a).get(_urls(job)[0]).status_code == 404


def test_retry_page(handlers, office, django_capture_on_commit_callbacks):
    from django.urls import reverse

    def broken(job, progress):
        raise RuntimeError("boom")

    handlers["export"] = broken
    job = _enqueue(django_capture_on_commit_callbacks, kind="export", actor=office)
    client = client_for(office)
    page = client.get(reverse("job-detail", args=[job.public_id]))
    assert b"boom" in page.content and b"retry" in page.content
    assert client.get(reverse("job-download", args=[job.public_id])).status_code == 404
    handlers["export"] = _ok
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("job-retry", args=[job.public_id]))
    assert resp.status_code == 302
    new = Job.objects.get(retry_of=job)
    assert resp.url.endswith(f"/jobs/{new.public_id}/") and new.status == JobStatus.DONE


def test_finished_briefing_job_links_to_its_review(office, open_wave):
    from django.urls import reverse

    from reports import services as briefing_services
    from survey_platform.jobs.models import JobKind

    job = Job.objects.create(kind=JobKind.BRIEFING, wave=open_wave, status=JobStatus.DONE)
    briefing = briefing_services.briefing_record(
        job=job, wave=open_wave, language="zh-hans",
        number=briefing_services.issue_number_for(open_wave), title="测试", pdf=b"%PDF-1.4 x",
        pages=1, summary={},
    )  # fmt: skip
    page = client_for(office).get(reverse("job-detail", args=[job.public_id]))
    assert reverse("reports:detail", args=[briefing.pk]) in page.content.decode()
