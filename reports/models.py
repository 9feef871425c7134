"""Numbered briefings (简报) for leadership.

Generation (job status, progress, charts, PDF) is built on top of this record; what the
leadership portal needs from the start is the numbered, issued document.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BriefingStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BriefingQuerySet(models.QuerySet):
    def delivered(self) -> BriefingQuerySet:
        """What leadership may see: finished, approved and delivered issues only."""
        return self.filter(status=BriefingStatus.DONE, delivered_at__isnull=False)


class Briefing(models.Model):
    number = models.PositiveIntegerField(_("issue number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=10, choices=BriefingStatus.choices, default=BriefingStatus.QUEUED
    )
    pdf = models.FileField(_("PDF"), upload_to="briefings/", blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    objects = BriefingQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")

    def __str__(self) -> str:
        return _("Issue %(number)s: %(title)s") % {"number": self.number, "title": self.title}
