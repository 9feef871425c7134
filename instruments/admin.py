"""Admin for questionnaires. Published versions are read-only here, and saves of drafts
go through the services so they are validated like everywhere else."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from survey_platform.core.errors import SurveyError
from survey_platform.core.permissions import signed_in

from . import services
from .models import Instrument, InstrumentVersion


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin[Instrument]):
    list_display = ("code", "name", "name_en", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("code", "name", "name_en")


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(admin.ModelAdmin[InstrumentVersion]):
    list_display = ("instrument", "number", "status", "published_at", "checksum")
    list_filter = ("status", "instrument")
    search_fields = ("instrument__code", "instrument__name", "note")
    readonly_fields = ("number", "status", "checksum", "published_at", "published_by", "based_on")
    fields = ("instrument", "number", "status", "note", "definition", "checksum", "based_on",
              "published_by", "published_at")  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New versions come from XLSForm import or "copy as new draft" on the office pages.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (*self.readonly_fields, "instrument") if obj is not None else self.readonly_fields

    def save_model(
        self, request: HttpRequest, obj: InstrumentVersion, form: Any, change: bool
    ) -> None:
        try:
            services.version_update_draft(
                actor=signed_in(request), version=obj, definition=obj.definition
            )
        except SurveyError as exc:
            messages.error(request, exc.message)
            for msgs in getattr(exc, "errors", {}).values():
                for msg in msgs[:20]:
                    messages.error(request, msg)

    def delete_model(self, request: HttpRequest, obj: InstrumentVersion) -> None:
        services.version_discard_draft(actor=signed_in(request), version=obj)
