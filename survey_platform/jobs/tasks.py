"""The one task every job kind runs through: it carries only the job's id."""

from __future__ import annotations

from django.tasks import task

from .services import job_execute


@task()
def run_job(job_id: int) -> str:
    return str(job_execute(job_id=job_id))
