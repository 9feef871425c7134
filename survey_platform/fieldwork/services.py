"""Writes for waves and quotas. Each validates fully, saves atomically and audits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from instruments.models import InstrumentVersion
from survey_platform.core.audit import audit
from survey_platform.core.errors import Conflict, ValidationFailed
from survey_platform.core.models import AuditAction
from survey_platform.network.models import Station

from .models import StationQuota, Wave, WaveStatus

WAVE_FIELDS = (
    "code", "title", "title_en", "kind", "instrument_version", "opens_at", "closes_at",
    "exclude_flagged", "purge_after_days",
)  # fmt: skip
#: What may still change once a wave is open (never its questionnaire).
OPEN_WAVE_FIELDS = ("title", "title_en", "closes_at", "exclude_flagged", "purge_after_days")


def _clean(obj: Any) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from exc


def _check_version(version: InstrumentVersion | None) -> None:
    if version is not None and not version.is_published:
        raise ValidationFailed(
            {"instrument_version": [_("Only a published questionnaire version can be used.")]}
        )


def wave_create(*, actor: User, **fields: Any) -> Wave:
    unknown = set(fields) - set(WAVE_FIELDS) - {"previous"}
    if unknown:
        raise TypeError(f"Unknown wave fields: {sorted(unknown)}")
    _check_version(fields.get("instrument_version"))
    wave = Wave(**fields)
    _clean(wave)
    with transaction.atomic():
        wave.save()
        audit(AuditAction.CREATE, actor=actor, obj=wave)
    return wave


def _verbose_name(name: str) -> str:
    field = Wave._meta.get_field(name)
    # Callers pass the fields of WAVE_FIELDS (forms, the API's serializer): model fields.
    assert isinstance(field, Field), name
    return str(field.verbose_name)


def wave_update(*, actor: User, wave: Wave, **fields: Any) -> Wave:
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        allowed: tuple[str, ...] = (
            WAVE_FIELDS if locked.status == WaveStatus.DRAFT else OPEN_WAVE_FIELDS
        )
        if locked.status in (WaveStatus.CLOSED, WaveStatus.ANALYSED):
            allowed = ("exclude_flagged", "purge_after_days")
        refused = [
            name for name, value in fields.items()
            if name not in allowed and getattr(locked, name) != value
        ]  # fmt: skip
        if refused:
            raise Conflict(
                _("These settings cannot change once the wave is open: %(fields)s")
                % {"fields": ", ".join(_verbose_name(n) for n in refused)}
            )
        _check_version(fields.get("instrument_version"))
        for name, value in fields.items():
            setattr(locked, name, value)
        _clean(locked)
        locked.save()
        audit(AuditAction.UPDATE, actor=actor, obj=locked, data={"fields": sorted(fields)})
    return locked


def quota_set(
    *,
    actor: User,
    wave: Wave,
    station: Station,
    target: int,
    strata: dict[str, dict[str, int]] | None = None,
) -> StationQuota:
    """Create or change a station's quota. A target below the completes so far is refused."""
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        if locked.status in (WaveStatus.CLOSED, WaveStatus.ANALYSED):
            raise Conflict(_("Quotas of a closed wave cannot change."))
        quota = StationQuota.objects.filter(wave=locked, station=station).first()
        if quota is None:
            quota = StationQuota(wave=locked, station=station, target=target)
        if target < quota.completes:
            raise ValidationFailed(
                {"target": [_("The target cannot be below the %(n)d completes already received.")
                            % {"n": quota.completes}]}
            )  # fmt: skip
        quota.target = target
        quota.strata = _valid_strata(strata or {}, target)
        _clean(quota)
        try:
            with transaction.atomic():
                quota.save()
        except IntegrityError as exc:
            raise Conflict(_("This station already has a quota in this wave.")) from exc
        audit(AuditAction.UPDATE, actor=actor, obj=quota, data={"target": target})
    return quota


def _valid_strata(strata: dict[str, dict[str, int]], target: int) -> dict[str, dict[str, int]]:
    from survey_platform.network.models import margin_levels

    for dimension, levels in strata.items():
        valid = set(margin_levels(dimension))
        if not valid:
            raise ValidationFailed({"strata": [_("Unknown stratum “%(d)s”.") % {"d": dimension}]})
        for level, count in levels.items():
            if level not in valid or not isinstance(count, int) or count < 0:
                raise ValidationFailed(
                    {
                        "strata": [
                            _("Invalid target for “%(d)s = %(l)s”.") % {"d": dimension, "l": level}
                        ]
                    }
                )
        if sum(levels.values()) > target:
            raise ValidationFailed(
                {"strata": [_("The targets by “%(d)s” add up to more than the station target.")
                            % {"d": dimension}]}
            )  # fmt: skip
    return strata


def wave_open(*, actor: User, wave: Wave) -> Wave:
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        if locked.status != WaveStatus.DRAFT:
            raise Conflict(_("Only a draft wave can be opened."))
        if not locked.quotas.exists():
            raise Conflict(_("Set at least one station quota before opening the wave."))
        _check_version(locked.instrument_version)
        if locked.closes_at <= timezone.now():
            raise Conflict(_("The closing time has already passed."))
        locked.status = WaveStatus.OPEN
        locked.save(update_fields=["status"])
        audit(AuditAction.PUBLISH, actor=actor, obj=locked, data={"status": "open"})
    return locked


def wave_close(*, actor: User, wave: Wave) -> Wave:
    return _transition(actor, wave, WaveStatus.OPEN, WaveStatus.CLOSED)


def wave_mark_analysed(*, actor: User, wave: Wave) -> Wave:
    return _transition(actor, wave, WaveStatus.CLOSED, WaveStatus.ANALYSED)


def _transition(actor: User, wave: Wave, source: str, target: str) -> Wave:
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        if locked.status != source:
            raise Conflict(
                _("The wave is “%(now)s”; this step needs “%(need)s”.")
                % {"now": locked.get_status_display(), "need": WaveStatus(source).label}
            )
        locked.status = target
        if target == WaveStatus.CLOSED and locked.closes_at > timezone.now():
            locked.closes_at = timezone.now()
        locked.save(update_fields=["status", "closes_at"])
        if target == WaveStatus.CLOSED:
            from .invitations import codes_expire

            codes_expire(locked)
        audit(AuditAction.UPDATE, actor=actor, obj=locked, data={"status": target})
    return locked


def wave_copy_next(
    *, actor: User, wave: Wave, code: str, opens_at: datetime, closes_at: datetime
) -> Wave:
    """The next wave of a schedule: same questionnaire, kind and quotas, new dates."""
    with transaction.atomic():
        new = wave_create(
            actor=actor,
            code=code,
            title=wave.title,
            title_en=wave.title_en,
            kind=wave.kind,
            instrument_version=wave.instrument_version,
            opens_at=opens_at,
            closes_at=closes_at,
            exclude_flagged=wave.exclude_flagged,
            purge_after_days=wave.purge_after_days,
            previous=wave,
        )
        StationQuota.objects.bulk_create(
            StationQuota(wave=new, station_id=q.station_id, target=q.target, strata=q.strata)
            for q in wave.quotas.all()
        )
    return new
