"""Loads the standard questionnaire and the quick-survey template as published versions."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from instruments import services
from instruments.models import Instrument, InstrumentKind
from instruments.schema import Instrument as Schema
from instruments.standard import load_quick, load_standard

DEMO_INSTRUMENTS = (
    ("stws-standard", InstrumentKind.STANDARD, load_standard),
    ("stws-quick", InstrumentKind.QUICK, load_quick),
)


def _ensure(actor: User, code: str, kind: str, schema: Schema) -> int:
    if Instrument.objects.filter(code=code).exists():
        return 0
    instrument = services.instrument_create(
        actor=actor,
        code=code,
        name=schema.title.get("zh-hans", schema.id),
        name_en=schema.title.get("en", ""),
        kind=kind,
    )
    version = services.version_create(
        actor=actor, instrument=instrument, definition=schema.to_dict(), note="标准模板"
    )
    services.version_publish(actor=actor, version=version)
    return 1


@transaction.atomic
def seed_instruments(actor: User) -> int:
    """Create each standard instrument once, published; existing ones are left alone."""
    return sum(_ensure(actor, code, kind, load()) for code, kind, load in DEMO_INSTRUMENTS)
