"""Reads of stored questionnaires."""

from __future__ import annotations

from django.db.models import QuerySet

from instruments.diff import Change, diff_instruments
from instruments.schema import Instrument as Schema
from instruments.schema import from_dict

from .models import Instrument, InstrumentVersion

_CACHE: dict[tuple[int | None, str], Schema] = {}
_CACHE_SIZE = 64


def schema_of(version: InstrumentVersion) -> Schema:
    """The parsed questionnaire, cached per version and content.

    A published version is keyed by its checksum (it never changes); a draft by its last
    save time, so an edited draft is parsed again.
    """
    stamp = version.checksum or (version.updated_at.isoformat() if version.updated_at else "")
    key = (version.pk, stamp)
    schema = _CACHE.get(key)
    if schema is None or version.pk is None:
        schema = from_dict(version.definition)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = schema
    return schema


def instruments_with_versions() -> QuerySet[Instrument]:
    return Instrument.objects.prefetch_related("versions")


def previous_version(version: InstrumentVersion) -> InstrumentVersion | None:
    return (
        InstrumentVersion.objects.filter(instrument=version.instrument, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def version_changes(old: InstrumentVersion, new: InstrumentVersion) -> list[Change]:
    return diff_instruments(schema_of(old), schema_of(new))


def published_versions() -> QuerySet[InstrumentVersion]:
    return InstrumentVersion.objects.filter(status="published").select_related("instrument")
