from typing import Any

from django.contrib import admin

from .models import Briefing, IssueNumber


@admin.register(Briefing)
class BriefingAdmin(admin.ModelAdmin[Briefing]):
    """Read-only: a generated briefing never changes (a correction is a new version)."""

    list_display = (
        "number",
        "version",
        "language",
        "title",
        "status",
        "created_at",
        "delivered_at",
    )
    list_filter = ("status", "language")
    search_fields = ("title", "content_hash")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(IssueNumber)
class IssueNumberAdmin(admin.ModelAdmin[IssueNumber]):
    list_display = ("number", "wave", "created_at")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
