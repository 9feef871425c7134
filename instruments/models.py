"""Stored questionnaires: an Instrument has numbered versions; a published version is
frozen (definition and checksum never change again), so every response can pin the exact
wording it was answered on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from survey_platform.core.errors import Conflict

PUBLISHED_IS_FROZEN = _(
    "A published questionnaire version cannot be changed; copy it as a new draft."
)


class InstrumentKind(models.TextChoices):
    STANDARD = "standard", _("Standard questionnaire")
    QUICK = "quick", _("Quick survey")
    THEMATIC = "thematic", _("Thematic survey")


class Instrument(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=InstrumentKind.choices, default=InstrumentKind.STANDARD
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class VersionQuerySet(models.QuerySet["InstrumentVersion"]):
    FROZEN_FIELDS = frozenset({"definition", "checksum", "number", "instrument", "instrument_id"})

    def update(self, **kwargs: Any) -> int:
        # Bulk updates bypass save(); refuse those that would touch a frozen version.
        if (
            self.FROZEN_FIELDS & set(kwargs)
            and self.filter(status=VersionStatus.PUBLISHED).exists()
        ):
            raise Conflict(PUBLISHED_IS_FROZEN)
        if (
            kwargs.get("status") == VersionStatus.DRAFT
            and self.filter(status=VersionStatus.PUBLISHED).exists()
        ):
            raise Conflict(PUBLISHED_IS_FROZEN)
        return super().update(**kwargs)


class InstrumentVersion(models.Model):
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    definition = models.JSONField(_("definition"))
    checksum = models.CharField(_("checksum"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["instrument__code", "-number"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Last line of defence behind the services: whatever path tries to write a
        # published row (admin, shell, a future bug) is refused.
        if self.pk is not None:
            stored = (
                InstrumentVersion.objects.filter(pk=self.pk)
                .values("status", "definition", "checksum", "number", "instrument_id")
                .first()
            )
            if stored and stored["status"] == VersionStatus.PUBLISHED:
                changed = (
                    self.status != VersionStatus.PUBLISHED
                    or stored["definition"] != self.definition
                    or stored["checksum"] != self.checksum
                    or stored["number"] != self.number
                    or stored["instrument_id"] != self.instrument_id
                )
                if changed:
                    raise Conflict(PUBLISHED_IS_FROZEN)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_published:
            raise Conflict(PUBLISHED_IS_FROZEN)
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED
