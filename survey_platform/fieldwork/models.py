"""Waves, station quotas, invitations (answer codes) and responses.

Anonymity invariant: nothing leads from an Invitation to a Response or back. A response
holds no invitation id, code, contact data, IP address or user agent; an invitation holds
only its state (no timestamps, which could be matched against submission times).

Answer codes are credentials (fieldwork/codes.py): an invitation stores only keyed hashes
of its link token and its short code, never the codes themselves, which are shown once
when they are issued (slips, the e-mail) and can be replaced but never recovered.

While a respondent is still answering, the partial response carries ``resume_hash`` — a
keyed hash of the respondent's identity (the invitation, or a random key for the open
link) — so any current code of that invitation resumes it. This is the one link the
server could follow (with its secret key), and only while a response is partial:
submitting clears it, and so do closing the wave and the roster purge.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from survey_platform.core.scoping import StationScopedQuerySet

#: Fieldwork days are calendar days in the survey office's time zone, whatever the server's.
FIELD_TZ = ZoneInfo("Asia/Shanghai")

# Unambiguous alphabet for hand-typed codes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
SHORT_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
SHORT_CODE_LENGTH = 10  # 25**10 ≈ 9.5e13 (46 bits); usable only behind rate limiting


def field_day_start(moment: datetime | None = None) -> datetime:
    """Midnight (survey office time) of the day of ``moment`` (default now): the only
    precision at which a response keeps wall-clock times. Anything finer could be matched
    against a web server's log or against when a named person was seen answering; the
    time spent answering is kept as durations (``page_seconds``, ``duration_seconds``)."""
    local = (moment or timezone.now()).astimezone(FIELD_TZ)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def new_token() -> str:
    """128 bits, URL-safe, for links. Never contains '.' (used by open-link keys)."""
    return secrets.token_urlsafe(16)


def new_short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


class WaveKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive survey")
    QUICK = "quick", _("Quick survey")
    THEMATIC = "thematic", _("Thematic survey")


class WaveStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    ANALYSED = "analysed", _("Analysed")


class Wave(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("e.g. 2026-Q4"))
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=WaveKind.choices)
    instrument_version = models.ForeignKey(
        "instruments.InstrumentVersion",
        verbose_name=_("questionnaire version"),
        on_delete=models.PROTECT,
        related_name="waves",
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    status = models.CharField(
        _("status"), max_length=10, choices=WaveStatus.choices, default=WaveStatus.DRAFT
    )
    exclude_flagged = models.BooleanField(
        _("exclude flagged responses from analysis"), default=True
    )
    stations_may_export = models.BooleanField(
        _("stations may export their own responses"),
        default=False,
        help_text=_("Station staff may then download their own station's data (no open answers)."),
    )
    purge_after_days = models.PositiveSmallIntegerField(
        _("purge roster contact data after (days)"), default=30
    )
    purged_at = models.DateTimeField(_("roster purged"), null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous wave"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "code"]
        verbose_name = _("survey wave")
        verbose_name_plural = _("survey waves")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="wave_closes_after_opening",
                violation_error_message=_("The wave must close after it opens."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == WaveStatus.OPEN


class StationQuota(models.Model):
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="quotas")
    station = models.ForeignKey(
        "network.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="quotas",
    )
    target = models.PositiveIntegerField(_("target completes"), validators=[MinValueValidator(1)])
    #: Optional per-stratum targets, e.g. {"title": {"senior": 10, "associate": 30}}.
    strata = models.JSONField(_("targets by stratum"), default=dict, blank=True)
    #: Completes so far. Raised in the same transaction as each submission; the open link
    #: takes a place only through a conditional UPDATE (completes < target), so the count
    #: can never pass the target however many respondents submit at once.
    completes = models.PositiveIntegerField(_("completes"), default=0)
    open_token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    open_link_enabled = models.BooleanField(_("open station link enabled"), default=True)

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["wave", "station__name"]
        verbose_name = _("station quota")
        verbose_name_plural = _("station quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "station"],
                name="quota_unique_station",
                violation_error_message=_("This station already has a quota in this wave."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.wave.code} {self.station}: {self.completes}/{self.target}"


class InvitationState(models.TextChoices):
    SENT = "sent", _("Sent")
    OPENED = "opened", _("Opened")
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed")
    EXPIRED = "expired", _("Expired")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PRINT = "print", _("Printed code")
    SMS = "sms", _("Text message (sent by the station)")


class Invitation(models.Model):
    """One person's one-time answer code. Roster contact fields are purged after the wave."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    station = models.ForeignKey(
        "network.Station", on_delete=models.PROTECT, related_name="invitations"
    )
    #: Keyed hashes (codes.code_digest) of the link token and of the typed short code;
    #: NULL until a code is issued, and again once the wave closes (NULL, not "": unique).
    token_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001
    code_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001
    #: Raised by every reissue: respondent sessions opened with an older code end.
    code_generation = models.PositiveIntegerField(default=0, editable=False)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=InvitationState.choices, default=InvitationState.SENT
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    title = models.CharField(_("professional title"), max_length=20, blank=True)
    age_group = models.CharField(_("age group"), max_length=20, blank=True)
    email_sent = models.BooleanField(_("invitation e-mail sent"), default=False)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["station", "name", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["wave", "station", "state"])]

    def __str__(self) -> str:
        return f"{self.wave.code} {self.station} #{self.pk}"

    @property
    def has_code(self) -> bool:
        return self.token_hash is not None


class ResponseStatus(models.TextChoices):
    PARTIAL = "partial", _("Partial")
    COMPLETE = "complete", _("Complete")


class Response(models.Model):
    """One respondent's answers, pinned to the exact questionnaire version."""

    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="responses")
    station = models.ForeignKey(
        "network.Station", on_delete=models.PROTECT, related_name="responses"
    )
    instrument_version = models.ForeignKey(
        "instruments.InstrumentVersion", on_delete=models.PROTECT, related_name="responses"
    )
    via_open_link = models.BooleanField(default=False)
    language = models.CharField(max_length=10, default="zh-hans")
    answers = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.PARTIAL
    )
    last_page = models.CharField(max_length=60, blank=True)
    page_seconds = models.JSONField(default=dict)
    #: Days only (field_day_start): see there why a response keeps no finer time.
    started_at = models.DateTimeField(default=field_day_start)
    updated_at = models.DateTimeField(default=field_day_start, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    quality_flags = models.JSONField(default=list, blank=True)
    #: Client-generated id of the submit request; a repeated submit finds it and stops.
    submission_id = models.UUIDField(null=True, blank=True, unique=True)
    #: Bumped by every page save: a save writes only over the revision it read (see
    #: fieldwork.respondent.response_save_page), so two tabs never overwrite each other.
    revision = models.PositiveIntegerField(default=0, editable=False)
    #: The station release in which this complete response entered the figures that the
    #: station's staff can see (releases.py); None until then.
    release = models.PositiveIntegerField(null=True, blank=True, editable=False)
    #: Keyed hash of the respondent's secret key, only while partial (see module docs).
    resume_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            models.Index(fields=["wave", "station", "status"]),
            models.Index(fields=["wave", "status", "submitted_at"]),
            models.Index(fields=["wave", "station", "release"]),
        ]

    def __str__(self) -> str:
        return f"{self.wave.code} #{self.pk} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every edit through the model raises the revision: with ``updated_at`` kept to
        # the day, the revision is what tells the dataset cache (dataset.py) that a
        # response changed. Page saves raise it themselves in their conditional UPDATE.
        if self.pk is not None and not kwargs.get("force_insert"):
            self.revision = (self.revision or 0) + 1
            fields = kwargs.get("update_fields")
            if fields is not None:
                kwargs["update_fields"] = {*fields, "revision"}
        super().save(*args, **kwargs)

    @property
    def is_complete(self) -> bool:
        return self.status == ResponseStatus.COMPLETE


def resume_hash(key: str) -> str:
    """The stored form of a respondent's identity: useless without the secret."""
    import hashlib
    import hmac

    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, b"resume:" + key.encode(), hashlib.sha256).hexdigest()
