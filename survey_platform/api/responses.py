"""Responses, read-only and without answers.

No page shows an individual response's answers (exports are the way to microdata, office
only), so neither does the API. Office admins get each response's metadata; station staff
get only the status and the day of submission of their own stations' responses — exact
times and durations could be matched against who was seen answering when.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers, viewsets

from survey_platform.core.roles import is_office
from survey_platform.fieldwork.models import FIELD_TZ, Response, ResponseStatus, Wave

from .base import documented, example, page_example
from .permissions import OfficeWritesStationReads

OFFICE_ONLY = ("instrument_version", "language", "via_open_link", "last_page", "started_at",
               "submitted_at", "duration_seconds", "quality_flags")  # fmt: skip


class ResponseOut(serializers.ModelSerializer[Response]):
    """Everyone: id, wave, station, status, day of submission. The other fields (not
    required in the schema) only for the survey office."""

    wave: serializers.SlugRelatedField[Wave] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    submitted_on = serializers.SerializerMethodField(help_text="Day of submission, Beijing time")
    instrument_version = serializers.IntegerField(source="instrument_version_id", required=False)
    language = serializers.CharField(required=False)
    via_open_link = serializers.BooleanField(required=False)
    last_page = serializers.CharField(required=False)
    started_at = serializers.DateTimeField(
        required=False, help_text="The day only (midnight, Beijing time): no finer time is kept"
    )
    submitted_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="The day only, as started_at"
    )
    duration_seconds = serializers.IntegerField(required=False, allow_null=True)
    quality_flags = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = Response
        fields = ["id", "wave", "station", "status", "submitted_on", *OFFICE_ONLY]
        read_only_fields = ["id", "station", "status"]

    def get_submitted_on(self, response: Response) -> str | None:
        if response.submitted_at is None:
            return None
        return response.submitted_at.astimezone(FIELD_TZ).date().isoformat()

    def to_representation(self, instance: Response) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not is_office(request.user):
            for name in OFFICE_ONLY:
                data.pop(name, None)
        return data


class ResponseFilter(django_filters.FilterSet):
    wave = django_filters.CharFilter(field_name="wave__code", label="Wave code")

    class Meta:
        model = Response
        fields = ["wave", "station", "status"]


RESPONSE_EXAMPLE = {"id": 5021, "wave": "2026-Q4", "station": 12, "status": "complete",
                    "submitted_on": "2026-10-12"}  # fmt: skip
OFFICE_EXAMPLE = {**RESPONSE_EXAMPLE, "instrument_version": 3, "language": "zh-hans",
                  "via_open_link": False, "last_page": "K",
                  "started_at": "2026-10-12T00:00:00+08:00",
                  "submitted_at": "2026-10-12T00:00:00+08:00", "duration_seconds": 1107,
                  "quality_flags": []}  # fmt: skip


@extend_schema_view(
    list=documented(
        summary="List responses",
        description="Responses without their answers. Survey office: every response with "
        "its metadata (days, duration, language, quality flags). Station staff: their "
        "own stations' complete responses that have been released to the station (in "
        "steps of at least k, so no change isolates one person), with the day of "
        "submission only. Filter by `wave` (code), `station` or `status`.",
        responses={200: ResponseOut(many=True)},
        examples=[
            example("office view", page_example([OFFICE_EXAMPLE])),
            example("station view", page_example([RESPONSE_EXAMPLE])),
        ],
    ),
    retrieve=documented(
        summary="One response",
        description="A response's metadata (see the list for who sees which fields).",
        responses={200: ResponseOut},
        examples=[example("office view", OFFICE_EXAMPLE)],
    ),
)
class ResponseViewSet(viewsets.ReadOnlyModelViewSet[Response]):
    """Responses (metadata only)."""

    permission_classes = [OfficeWritesStationReads]
    filterset_class = ResponseFilter
    serializer_class = ResponseOut

    def get_queryset(self) -> QuerySet[Response]:
        rows = Response.objects.for_user(self.request.user).select_related("wave")
        if not is_office(self.request.user):
            # Partial responses and unreleased completes would show, one by one, when a
            # colleague starts and finishes (fieldwork/releases.py).
            rows = rows.filter(status=ResponseStatus.COMPLETE, release__isnull=False)
        return rows.order_by("-started_at", "-pk")
