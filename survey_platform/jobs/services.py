"""Writes for background jobs: enqueue, claim, progress, finish, fail, retry, reap.

Invariant: a job is *running* for exactly one worker. Claiming is a conditional UPDATE
(queued → running) that only one of several workers handed the same id can win; every
later write by the worker is conditional on ``status=running AND worker=<itself>``, so a
worker that the reaper has given up on (its job re-queued to another) cannot overwrite
the new owner's progress or result.
"""

from __future__ import annotations

import hashlib
import os
import socket
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from survey_platform.core.audit import audit
from survey_platform.core.errors import Conflict, SurveyError
from survey_platform.core.models import AuditAction

from .models import Job, JobKind, JobStatus
from .registry import JobOutput, handler_for

#: A job's worker writes its heartbeat at least this often while it works.
MAX_ATTEMPTS = 2


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "JOB_STALE_SECONDS", 600))


def job_enqueue(
    *,
    kind: JobKind | str,
    actor: Any,
    params: dict[str, Any] | None = None,
    wave: Any = None,
    station: Any = None,
    retry_of: Job | None = None,
) -> Job:
    """Create a queued job and hand its id to the task queue once the row is committed."""
    if handler_for(str(kind)) is None:
        raise SurveyError(_("Unknown job kind: %(kind)s.") % {"kind": kind})
    job = Job.objects.create(
        kind=kind,
        params=params or {},
        wave=wave,
        station=station,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        retry_of=retry_of,
    )
    audit(AuditAction.CREATE, actor=actor, obj=job, data={"kind": str(kind), **job.params})
    _dispatch(job.pk)
    return job


def _dispatch(job_id: int) -> None:
    from .tasks import run_job

    # After commit: a worker on another process must be able to see the row it is given.
    transaction.on_commit(lambda: run_job.enqueue(job_id))


def job_retry(*, job: Job, actor: Any) -> Job:
    """A new job with the same parameters; the failed one keeps its error for the record."""
    if job.status != JobStatus.FAILED:
        raise Conflict(_("Only a failed job can be retried."))
    return job_enqueue(
        kind=job.kind,
        actor=actor,
        params=job.params,
        wave=job.wave,
        station=job.station,
        retry_of=job,
    )


def job_claim(*, job_id: int, worker: str) -> Job | None:
    """Move a queued job to running for ``worker``; None when another worker has it."""
    now = timezone.now()
    won = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        worker=worker,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        progress=0,
        stage="",
    )
    return Job.objects.get(pk=job_id) if won else None


def _owned(job: Job) -> Any:
    return Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker=job.worker)


def job_progress(*, job: Job, percent: int, stage: str = "") -> bool:
    """Record progress and a heartbeat; False when the job is no longer this worker's."""
    percent = max(0, min(100, int(percent)))
    job.progress, job.stage = percent, stage[:200]
    return bool(_owned(job).update(progress=percent, stage=job.stage, heartbeat_at=timezone.now()))


def job_succeed(*, job: Job, output: JobOutput) -> bool:
    """Store the result file and mark the job done (only if this worker still owns it)."""
    digest, size, stored = _store(job, output)
    with transaction.atomic():
        done = _owned(job).update(
            status=JobStatus.DONE,
            progress=100,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
            result=stored,
            result_name=output.filename,
            result_type=output.content_type,
            result_sha256=digest,
            result_size=size,
            error="",
        )
    if not done:  # lost the job meanwhile: drop the orphan file
        job.result.storage.delete(stored)
    return bool(done)


def _store(job: Job, output: JobOutput) -> tuple[str, int, str]:
    sha = hashlib.sha256()
    field = job.result
    name = f"{job.public_id}-{output.filename}"
    if output.content is not None:
        sha.update(output.content)
        stored = field.storage.save(
            field.field.generate_filename(job, name), ContentFile(output.content)
        )
        return sha.hexdigest(), len(output.content), stored
    assert output.path is not None
    with open(output.path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    with open(output.path, "rb") as fh:
        stored = field.storage.save(field.field.generate_filename(job, name), File(fh))
    size = os.path.getsize(output.path)
    return sha.hexdigest(), size, stored


def job_fail(*, job: Job, error: str) -> bool:
    return bool(
        _owned(job).update(status=JobStatus.FAILED, error=error[:4000], finished_at=timezone.now())
    )


def job_execute(*, job_id: int, worker: str | None = None) -> str:
    """Claim and run one job; returns its final status (or "skipped" if not claimed)."""
    job = job_claim(job_id=job_id, worker=worker or worker_name())
    if job is None:
        return "skipped"
    handler = handler_for(job.kind)
    claimed = job

    def progress(pct: int, stage: str = "") -> None:
        _report(claimed, pct, stage)

    try:
        if handler is None:
            raise SurveyError(_("Unknown job kind: %(kind)s.") % {"kind": job.kind})
        output = handler(job, progress)
    except _Lost:
        return "lost"
    except SurveyError as exc:
        job_fail(job=job, error=exc.message)
        return JobStatus.FAILED
    except Exception as exc:  # the reason is kept on the job; nothing half-made is kept
        job_fail(job=job, error=f"{type(exc).__name__}: {exc}")
        return JobStatus.FAILED
    try:
        ok = job_succeed(job=job, output=output)
    finally:
        if output.path is not None:
            output.path.unlink(missing_ok=True)
    return JobStatus.DONE if ok else "lost"


class _Lost(Exception):
    """The reaper gave this worker's job to another: stop working on it."""


def _report(job: Job, percent: int, stage: str) -> None:
    if not job_progress(job=job, percent=percent, stage=stage):
        raise _Lost


def jobs_reap_stale(*, now: Any = None) -> dict[str, int]:
    """Running jobs whose worker stopped writing heartbeats: re-queue once, then fail.

    Racy by nature, made safe by the conditional UPDATEs: the reaper only acts on rows
    still running with the stale heartbeat it saw, and the old worker's later writes are
    refused (see the module docstring).
    """
    now = now or timezone.now()
    stale = list(Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - stale_after()))
    counts = {"requeued": 0, "failed": 0}
    for job in stale:
        same = Job.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at
        )
        if job.attempts < MAX_ATTEMPTS:
            if same.update(status=JobStatus.QUEUED, worker="", stage=""):
                counts["requeued"] += 1
                _dispatch(job.pk)
        elif same.update(
            status=JobStatus.FAILED,
            finished_at=now,
            error=_("The worker running this job stopped responding (%(worker)s).")
            % {"worker": job.worker},
        ):
            counts["failed"] += 1
    return counts


def job_mark_downloaded(*, job: Job, actor: Any, request: Any = None) -> None:
    audit(
        AuditAction.DOWNLOAD,
        actor=actor,
        obj=job,
        request=request,
        data={"kind": job.kind, "file": job.result_name, "sha256": job.result_sha256},
    )
