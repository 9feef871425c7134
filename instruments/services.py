"""Writes to stored questionnaires. Every definition is validated in full before it is
saved; a published version is never written again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from instruments.schema import Instrument as Schema
from instruments.schema import ValidationIssue, load_definition
from instruments.xlsform.guard import WorkbookRefused
from instruments.xlsform.sandbox import read_xlsform_bounded
from survey_platform.core import uploads
from survey_platform.core.audit import audit
from survey_platform.core.errors import Conflict, ValidationFailed
from survey_platform.core.models import AuditAction

from .models import PUBLISHED_IS_FROZEN, Instrument, InstrumentVersion, VersionStatus

ALREADY_PUBLISHED = _("This version is already published.")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class DefinitionInvalid(ValidationFailed):
    """The questionnaire has problems; ``issues`` keeps each with its exact location."""

    def __init__(self, issues: list[ValidationIssue]) -> None:
        self.issues = issues
        super().__init__(
            {"definition": [issue.render(gettext) for issue in issues]},
            message=gettext("The questionnaire has %(count)d problem(s); nothing was saved.")
            % {"count": len(issues)},
        )


def validated_schema(definition: Mapping[str, Any]) -> Schema:
    schema, issues = load_definition(definition)
    if issues or schema is None:
        raise DefinitionInvalid(issues)
    return schema


def schema_from_xlsform(data: bytes) -> Schema:
    """The questionnaire of an uploaded workbook. Every upload path (pages, API) comes
    here: the workbook is checked for ZIP/XML bombs and read in a bounded child process
    (``instruments/xlsform/sandbox.py``; limits: ``XLSFORM_UPLOAD_LIMITS``)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed({"file": [gettext("The file is larger than 5 MB.")]})
    try:
        schema, issues = read_xlsform_bounded(data, uploads.xlsform_limits())
    except WorkbookRefused as refusal:
        # Reported like any unreadable file: one issue, listed with the others on the
        # page and under "definition" in the API's 400.
        raise DefinitionInvalid([ValidationIssue(refusal.message, kind="file")]) from refusal
    if issues or schema is None:
        raise DefinitionInvalid(issues)
    return schema


def instrument_create(
    *, actor: User, code: str, name: str, name_en: str = "", kind: str = "standard"
) -> Instrument:
    instrument = Instrument(code=code, name=name, name_en=name_en, kind=kind)
    try:
        instrument.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from exc
    with transaction.atomic():
        instrument.save()
        audit(AuditAction.CREATE, actor=actor, obj=instrument)
    return instrument


def version_create(
    *,
    actor: User,
    instrument: Instrument,
    definition: Mapping[str, Any],
    note: str = "",
    based_on: InstrumentVersion | None = None,
) -> InstrumentVersion:
    schema = validated_schema(definition)
    with transaction.atomic():
        # Lock the instrument row so two drafts created at once get different numbers.
        Instrument.objects.select_for_update().get(pk=instrument.pk)
        last = instrument.versions.aggregate(n=Max("number"))["n"] or 0
        version = InstrumentVersion.objects.create(
            instrument=instrument,
            number=last + 1,
            definition=schema.to_dict(),
            note=note[:300],
            based_on=based_on,
            created_by=actor,
        )
        audit(AuditAction.CREATE, actor=actor, obj=version)
    return version


def instrument_import_xlsform(
    *, actor: User, data: bytes, kind: str = "standard", code: str = ""
) -> InstrumentVersion:
    """A new questionnaire from a workbook; its first version is a draft."""
    schema = schema_from_xlsform(data)
    title = dict(schema.title)
    name = title.get("zh-hans") or title.get(schema.default_language) or schema.id
    with transaction.atomic():
        instrument = instrument_create(
            actor=actor,
            code=code or slugify(schema.id) or "questionnaire",
            name=name,
            name_en=title.get("en", ""),
            kind=kind,
        )
        return version_create(actor=actor, instrument=instrument, definition=schema.to_dict())


def version_import_xlsform(
    *, actor: User, instrument: Instrument, data: bytes, note: str = ""
) -> InstrumentVersion:
    schema = schema_from_xlsform(data)
    return version_create(
        actor=actor, instrument=instrument, definition=schema.to_dict(), note=note
    )


def version_update_draft(
    *, actor: User, version: InstrumentVersion, definition: Mapping[str, Any]
) -> InstrumentVersion:
    schema = validated_schema(definition)
    with transaction.atomic():
        locked = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise Conflict(PUBLISHED_IS_FROZEN)
        locked.definition = schema.to_dict()
        locked.save()
        audit(AuditAction.UPDATE, actor=actor, obj=locked)
    return locked


def version_replace_from_xlsform(
    *, actor: User, version: InstrumentVersion, data: bytes
) -> InstrumentVersion:
    """Edit a draft in a spreadsheet: the uploaded workbook replaces its definition."""
    if version.is_published:
        raise Conflict(PUBLISHED_IS_FROZEN)
    schema = schema_from_xlsform(data)
    return version_update_draft(actor=actor, version=version, definition=schema.to_dict())


def version_copy(*, actor: User, version: InstrumentVersion) -> InstrumentVersion:
    """A new draft with the same definition, to edit into the next version."""
    return version_create(
        actor=actor,
        instrument=version.instrument,
        definition=version.definition,
        note=gettext("Copied from version %(number)s") % {"number": version.number},
        based_on=version,
    )


def version_publish(*, actor: User, version: InstrumentVersion) -> InstrumentVersion:
    with transaction.atomic():
        locked = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise Conflict(ALREADY_PUBLISHED)
        schema = validated_schema(locked.definition)
        locked.definition = schema.to_dict()
        locked.checksum = schema.checksum()
        locked.status = VersionStatus.PUBLISHED
        locked.published_by = actor
        locked.published_at = timezone.now()
        locked.save()
        audit(AuditAction.PUBLISH, actor=actor, obj=locked, data={"checksum": locked.checksum})
    return locked


def version_discard_draft(*, actor: User, version: InstrumentVersion) -> None:
    with transaction.atomic():
        locked = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
        if locked.is_published:
            raise Conflict(PUBLISHED_IS_FROZEN)
        audit(AuditAction.DELETE, actor=actor, obj=locked)
        locked.delete()
