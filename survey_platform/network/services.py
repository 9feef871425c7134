"""Writes to the station network. Each validates fully, saves atomically and audits."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from survey_platform.core.audit import audit
from survey_platform.core.errors import ValidationFailed
from survey_platform.core.models import AuditAction

from .models import Station, StationMembership

STATION_FIELDS = (
    "name",
    "host_institution",
    "region",
    "sector",
    "level",
    "active",
    "frame_size",
    "contact_name",
    "contact_phone",
    "contact_email",
    "address",
)


def _full_clean(obj: Any) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from exc


def _save(obj: Any) -> None:
    # full_clean() already checked the unique constraints, but two requests can pass that
    # check at the same moment; the database constraint decides, and the loser gets the
    # same translated message instead of a 500.
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        _full_clean(obj)  # re-run to name the violated rule in the user's language
        raise ValidationFailed(
            {"__all__": [_("This conflicts with a record saved at the same moment; try again.")]}
        ) from exc


def _changes(station: Station, fields: dict[str, Any]) -> dict[str, list[str]]:
    changed = {}
    for key, value in fields.items():
        old = getattr(station, key)
        if old != value:
            changed[key] = [str(old), str(value)]
    return changed


def station_create(*, actor: User, **fields: Any) -> Station:
    unknown = set(fields) - set(STATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown station fields: {sorted(unknown)}")
    station = Station(**fields)
    _full_clean(station)
    with transaction.atomic():
        _save(station)
        audit(AuditAction.CREATE, actor=actor, obj=station)
    return station


def station_update(*, actor: User, station: Station, **fields: Any) -> Station:
    unknown = set(fields) - set(STATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown station fields: {sorted(unknown)}")
    fresh = Station.objects.get(pk=station.pk)
    changed = _changes(fresh, fields)
    for key, value in fields.items():
        setattr(fresh, key, value)
    _full_clean(fresh)
    if not changed:
        return fresh
    with transaction.atomic():
        _save(fresh)
        audit(AuditAction.UPDATE, actor=actor, obj=fresh, data={"changed": changed})
    return fresh


def station_delete(*, actor: User, station: Station) -> None:
    with transaction.atomic():
        audit(AuditAction.DELETE, actor=actor, obj=station)
        station.delete()


def membership_add(*, actor: User, station: Station, user: User, role: str) -> StationMembership:
    membership = StationMembership(station=station, user=user, role=role)
    _full_clean(membership)
    with transaction.atomic():
        _save(membership)
        audit(AuditAction.CREATE, actor=actor, obj=membership, data={"station": station.pk})
    return membership


def membership_update(
    *, actor: User, membership: StationMembership, role: str
) -> StationMembership:
    old = membership.role
    membership.role = role
    _full_clean(membership)
    with transaction.atomic():
        _save(membership)
        audit(AuditAction.UPDATE, actor=actor, obj=membership, data={"role": [old, role]})
    return membership


def membership_remove(*, actor: User, membership: StationMembership) -> None:
    with transaction.atomic():
        audit(
            AuditAction.DELETE,
            actor=actor,
            obj=membership,
            data={"station": membership.station_id, "user": membership.user_id},
        )
        membership.delete()
