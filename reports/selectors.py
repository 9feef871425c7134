from __future__ import annotations

from django.db.models import QuerySet

from .models import Briefing


def briefings_for_leadership() -> QuerySet[Briefing]:
    return Briefing.objects.delivered().order_by("-number")
