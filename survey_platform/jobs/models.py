"""Persisted background jobs (kpi style): a row per briefing, report or export run.

A job row is the single source of truth about a long piece of work: the page and the API
poll it for status and progress, the worker that *claims* it (see services.job_claim)
writes its progress and heartbeat into it, and the finished file hangs off it. The task
queue only carries the job's id.
"""

from __future__ import annotations

import uuid
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from survey_platform.core.roles import is_office
from survey_platform.core.scoping import StationScopedQuerySet, station_ids_for


class JobKind(models.TextChoices):
    BRIEFING = "briefing", _("Briefing")
    STATION_REPORT = "station_report", _("Station feedback report")
    EXPORT = "export", _("Data export")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobQuerySet(StationScopedQuerySet["Job"]):
    def for_user(self, user: Any) -> Self:
        """Office: every job. Station staff: jobs of their own stations only. Others: none."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if is_office(user):
            return self
        return self.filter(station__isnull=False, station__in=station_ids_for(user))

    def active(self) -> Self:
        return self.filter(status__in=ACTIVE)


class Job(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=JobKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    wave = models.ForeignKey(
        "fieldwork.Wave", verbose_name=_("wave"), null=True, blank=True, on_delete=models.CASCADE
    )
    station = models.ForeignKey(
        "network.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Written by the worker that owns the job; the reaper re-queues or fails a running
    # job whose heartbeat is older than JOB_STALE_SECONDS (its worker died).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    result = models.FileField(_("result"), upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(_("file name"), max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    result_sha256 = models.CharField(max_length=64, blank=True)
    result_size = models.PositiveBigIntegerField(default=0)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {str(self.public_id)[:8]}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE
