from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin[Job]):
    """Read-only: jobs change only through their services (claim, progress, finish)."""

    list_display = ("public_id", "kind", "status", "progress", "wave", "station", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("public_id", "error")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
