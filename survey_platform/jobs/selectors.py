"""Reads for background jobs (always through the user's scope)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from survey_platform.core.errors import NotFound

from .models import Job


def job_for_user(*, user: Any, public_id: UUID | str) -> Job:
    """The job if ``user`` may see it, else NotFound (not 403: no existence leak)."""
    job = (
        Job.objects.for_user(user)
        .select_related("wave", "station")
        .filter(public_id=public_id)
        .first()
    )
    if job is None:
        raise NotFound()
    return job


def jobs_for_user(*, user: Any, kind: str | None = None) -> QuerySet[Job]:
    jobs = Job.objects.for_user(user).select_related("wave", "station", "created_by")
    return jobs.filter(kind=kind) if kind else jobs
