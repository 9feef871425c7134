from django.contrib import admin

from .models import Briefing


@admin.register(Briefing)
class BriefingAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "language", "status", "created_at", "delivered_at")
    list_filter = ("status", "language")
    search_fields = ("title",)
