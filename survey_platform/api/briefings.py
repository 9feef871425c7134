"""Leadership briefings (reports app): list, start a generation job, download the PDF.

The job's status is ``GET /api/v1/jobs/{id}/`` (jobs.py). Reads go through the reports
selectors: the office sees every version, leadership the delivered ones only.
"""

from __future__ import annotations

import io
from typing import Any

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from reports import services
from reports.models import Briefing
from reports.selectors import briefing_for_user, briefings_for_leadership
from survey_platform.core.permissions import signed_in
from survey_platform.core.roles import is_office
from survey_platform.fieldwork.models import Wave

from .base import (
    LANGUAGE_CHOICES,
    StrictSerializer,
    documented,
    example,
    page_example,
    parse,
    path_example,
)
from .jobs import QUEUED_JOB_EXAMPLE, JobOut
from .permissions import OfficeWritesLeadershipReads


class BriefingOut(serializers.ModelSerializer[Briefing]):
    wave: serializers.SlugRelatedField[Wave] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    previous_wave: serializers.SlugRelatedField[Wave] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Briefing
        fields = ["id", "number", "wave", "previous_wave", "version", "language", "title",
                  "status", "page_count", "content_hash", "created_at", "approved_at",
                  "delivered_at", "summary", "pdf_url"]  # fmt: skip

    def get_pdf_url(self, briefing: Briefing) -> str:
        return reverse("api:briefing-pdf", args=[briefing.pk])


class GenerateIn(StrictSerializer):
    wave = serializers.SlugRelatedField(slug_field="code", queryset=Wave.objects.all())
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, default="zh-hans")


BRIEFING_EXAMPLE = {
    "id": 3, "number": 12, "wave": "2026-Q4", "previous_wave": "2026-Q2", "version": 2,
    "language": "zh-hans", "title": "科技工作者状况调查简报（第12期）", "status": "delivered",
    "page_count": 4, "content_hash": "b94d27b9934d3e08…", "created_at": "2026-12-05T10:00:00+08:00",
    "approved_at": "2026-12-05T15:00:00+08:00", "delivered_at": "2026-12-05T15:02:00+08:00",
    "summary": {"top": [{"code": "G01", "label": "科研经费不足、项目申请难", "share": 0.43}]},
    "pdf_url": "/api/v1/briefings/3/pdf/",
}  # fmt: skip


class BriefingViewSet(viewsets.GenericViewSet[Briefing]):
    permission_classes = [OfficeWritesLeadershipReads]
    serializer_class = BriefingOut
    queryset = Briefing.objects.none()  # reads go through the reports selectors

    def _briefings(self) -> Any:
        if is_office(self.request.user):
            return Briefing.objects.select_related("wave", "previous_wave").order_by(
                "-number", "language", "-version"
            )
        return briefings_for_leadership()

    @documented(
        summary="List briefings",
        description="Numbered briefings, newest issue first: every version for the survey "
        "office, the latest delivered version of each issue for leadership.",
        examples=[example("briefings", page_example([BRIEFING_EXAMPLE]))],
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self._briefings())
        return self.get_paginated_response(BriefingOut(page, many=True).data)

    @documented(
        summary="One briefing",
        description="A briefing's metadata and headline figures.",
        examples=[example("briefing", BRIEFING_EXAMPLE)],
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(BriefingOut(self._one(pk)).data)

    def _one(self, pk: Any) -> Briefing:
        try:
            number = int(str(pk))
        except ValueError:
            number = -1
        return briefing_for_user(user=self.request.user, pk=number)

    @documented(
        summary="Download a briefing",
        description="The PDF (audited). Refused (409) if the stored file no longer matches "
        "its recorded checksum.",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
        parameters=[path_example("id", 3, "Briefing id")],
        examples=[],
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def pdf(self, request: Request, pk: str | None = None) -> Any:
        briefing = self._one(pk)
        data = services.briefing_pdf_bytes(briefing)
        services.briefing_mark_downloaded(
            briefing=briefing, actor=signed_in(request), request=request._request
        )
        response = FileResponse(
            io.BytesIO(data),
            as_attachment=True,
            filename=briefing.download_name,
            content_type="application/pdf",
        )
        response["Content-Length"] = str(len(data))
        return response

    @documented(
        summary="Generate a briefing",
        description="Queues the generation of a new version of the wave's briefing (a job; "
        "poll `GET /api/v1/jobs/{id}/`). Refused when the wave has too few responses or "
        "the same briefing is already being generated.",
        request=GenerateIn,
        responses={201: JobOut},
        examples=[
            example("generate", {"wave": "2026-Q4", "language": "zh-hans"}, request=True),
            example("queued", {**QUEUED_JOB_EXAMPLE, "kind": "briefing"}, status=201),
        ],
    )  # fmt: skip
    @action(detail=False, methods=["post"], pagination_class=None)
    def generate(self, request: Request) -> Response:
        data = parse(GenerateIn, request)
        job = services.briefing_generate(
            wave=data["wave"], language=data["language"], actor=signed_in(request)
        )
        return Response(JobOut(job).data, status=201)
