"""Data exports of a wave (exports app) as background jobs: start one here, then follow
it at ``GET /api/v1/jobs/{id}/`` and download the file from ``…/download/``.

Who may export what is decided by ``exports.services.export_start`` alone (office: any
wave; station staff: their own station, where the wave allows it).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from survey_platform.core.errors import NotFound
from survey_platform.core.permissions import signed_in
from survey_platform.exports import services
from survey_platform.network.models import Station

from .base import LANGUAGE_CHOICES, StrictSerializer, documented, example, parse
from .jobs import QUEUED_JOB_EXAMPLE, JobOut
from .permissions import StationWork


class ExportIn(StrictSerializer):
    format = serializers.ChoiceField(choices=list(services.FORMATS))
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, default="zh-hans")
    station = serializers.IntegerField(
        required=False, min_value=1, help_text="Only this station's rows (station staff: required)"
    )
    include_flagged = serializers.BooleanField(
        required=False, allow_null=True, help_text="Office only; default: as the wave says"
    )


class WaveExportAction:
    """``POST /waves/{code}/exports/`` (mixed into the wave viewset)."""

    @documented(
        summary="Start an export",
        description="Queues an export of the wave's responses as CSV (UTF-8 with BOM), "
        "XLSX, SPSS .sav, Stata .dta, or the codebook (XLSX), with variable and value "
        "labels in `language`. Returns the job (201); poll it and download its file. "
        "Station staff export only their own `station`, only where the wave allows it and "
        "only with at least 10 responses; every export is audited.",
        request=ExportIn,
        responses={201: JobOut},
        examples=[
            example("sav", {"format": "sav", "language": "zh-hans"}, request=True),
            example("queued", QUEUED_JOB_EXAMPLE, status=201),
        ],
    )  # fmt: skip
    @action(detail=True, methods=["post"], permission_classes=[StationWork], pagination_class=None)
    def exports(self, request: Request, code: str | None = None) -> Response:
        wave = self.get_object()  # type: ignore[attr-defined]
        data: dict[str, Any] = dict(parse(ExportIn, request))
        station = None
        if "station" in data:
            station = Station.objects.filter(pk=data.pop("station")).first()
            if station is None:
                raise NotFound()
        job = services.export_start(
            actor=signed_in(request),
            wave=wave,
            fmt=data.pop("format"),
            station=station,
            **data,
        )
        return Response(JobOut(job).data, status=201)
