"""Jobs with two real RQ workers on Redis: every job finishes exactly once, and a worker
killed mid-job leaves its job re-queued (then finished by the other) or failed with a
reason, never stuck in "running"."""

from __future__ import annotations

import time

import pytest

from survey_platform.jobs import services
from survey_platform.jobs.models import Job, JobStatus
from tests.scale.conftest import Workers
from tests.scale.handlers import KIND

pytestmark = pytest.mark.django_db(transaction=True)


def _wait(predicate, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _enqueue(office, n: int, seconds: float) -> list[Job]:
    # transaction=True: each job row is committed, then its id goes to Redis (on_commit).
    return [
        services.job_enqueue(kind=KIND, actor=office, params={"seconds": seconds, "i": i})
        for i in range(n)
    ]


@pytest.fixture
def export_wave(office, standard_version, reference_data):
    """A small wave of the standard questionnaire with simulated responses (committed)."""
    from survey_platform.network.models import Region, Sector
    from tests.exports.conftest import add_responses, make_wave
    from tests.factories import StationFactory

    sector = Sector.objects.order_by("order").first()
    region = Region.objects.filter(level="county").order_by("code").first()
    stations = [
        StationFactory(name=f"扩展站{i}", sector=sector, region=region, frame_size=500)
        for i in range(3)
    ]
    wave = make_wave(office, standard_version, stations, code="2026-RQ")
    add_responses(wave, stations, per_station=20)
    return wave


FORMATS = ["csv", "sav", "dta", "codebook", "xlsx"]


def test_twenty_export_jobs_two_workers_each_done_once(
    rq_settings, redis_server, office, export_wave
):
    from survey_platform.exports.services import export_start

    workers = Workers(rq_settings, redis_server.url, 2)
    try:
        jobs = [
            export_start(actor=office, wave=export_wave, fmt=FORMATS[i % len(FORMATS)])
            for i in range(20)
        ]
        ids = [j.pk for j in jobs]
        _wait(
            lambda: Job.objects.filter(pk__in=ids, status__in=["done", "failed"]).count() == 20,
            240,
            "20 export jobs to finish",
        )
    finally:
        workers.stop()
    done = list(Job.objects.filter(pk__in=ids))
    assert [j.error for j in done if j.status != JobStatus.DONE] == []
    assert all(j.attempts == 1 for j in done), [j.attempts for j in done]
    assert len({j.worker for j in done}) == 2  # both workers took part
    for job in done:
        assert job.result_size > 0 and job.result_name.endswith(
            {"csv": ".csv", "sav": ".sav", "dta": ".dta", "codebook": ".xlsx", "xlsx": ".xlsx"}[
                job.params["format"]
            ]
        )


def test_killed_worker_job_is_requeued_then_finished(rq_settings, redis_server, office):
    rq_settings.JOB_STALE_SECONDS = 2
    workers = Workers(rq_settings, redis_server.url, 2)
    try:
        (job,) = _enqueue(office, 1, 6.0)  # progress every 0.6 s
        _wait(
            lambda: Job.objects.filter(
                pk=job.pk, status=JobStatus.RUNNING, progress__gt=0
            ).exists(),
            60,
            "the long job to start",
        )
        job.refresh_from_db()
        victim = int(job.worker.rsplit(":", 1)[1])
        assert victim in workers.pids()
        workers.kill(victim)
        # Its heartbeat stops; the reaper (cron / `manage.py reap_jobs` in production)
        # re-queues it once, and the surviving worker runs it to the end.
        _wait(lambda: services.jobs_reap_stale()["requeued"] == 1, 30, "the reaper")
        _wait(
            lambda: Job.objects.filter(pk=job.pk, status=JobStatus.DONE).exists(),
            90,
            "the re-queued job to finish",
        )
    finally:
        workers.stop()
    job.refresh_from_db()
    assert job.attempts == 2 and int(job.worker.rsplit(":", 1)[1]) != victim


def test_job_killed_twice_fails_with_reason(rq_settings, redis_server, office):
    rq_settings.JOB_STALE_SECONDS = 2
    workers = Workers(rq_settings, redis_server.url, 2)
    try:
        (job,) = _enqueue(office, 1, 6.0)
        for attempt in (1, 2):
            _wait(
                lambda a=attempt: Job.objects.filter(
                    pk=job.pk, status=JobStatus.RUNNING, attempts=a, progress__gt=0
                ).exists(),
                60,
                f"attempt {attempt} to start",
            )
            job.refresh_from_db()
            workers.kill(int(job.worker.rsplit(":", 1)[1]))
            _wait(lambda: sum(services.jobs_reap_stale().values()) == 1, 30, "the reaper")
    finally:
        workers.stop()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "stopped responding" in job.error or "停止响应" in job.error
