"""Monitoring figures (fieldwork.monitoring): a station's progress, the office's monitor."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from survey_platform.fieldwork import monitoring

from .base import documented, example, query_choice
from .permissions import OfficeOnly, StationWork


class DayOut(serializers.Serializer[Any]):
    day = serializers.DateField()
    completes = serializers.IntegerField()
    cumulative = serializers.IntegerField()


class FiguresOut(serializers.Serializer[Any]):
    quota = serializers.IntegerField(source="quota.pk")
    station = serializers.IntegerField(source="quota.station_id")
    station_name = serializers.CharField(source="quota.station.name")
    target = serializers.IntegerField()
    completes = serializers.IntegerField()
    partials = serializers.IntegerField()
    invitations = serializers.IntegerField()
    invitations_completed = serializers.IntegerField()
    percent_of_target = serializers.FloatField()
    response_rate = serializers.FloatField(
        allow_null=True, help_text="Percent of invitations completed; null without invitations."
    )
    lagging = serializers.BooleanField()


class TotalOut(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]  # DRF pops fields off the class
    stations = serializers.IntegerField()
    target = serializers.IntegerField()
    completes = serializers.IntegerField()
    partials = serializers.IntegerField()
    invitations = serializers.IntegerField()
    lagging = serializers.IntegerField()
    percent_of_target = serializers.FloatField()


class MonitorOut(serializers.Serializer[Any]):
    wave = serializers.CharField(source="wave.code")
    sort = serializers.CharField()
    elapsed_percent = serializers.FloatField()
    total = TotalOut()
    stations = FiguresOut(many=True, source="rows")
    by_region = TotalOut(many=True)
    by_sector = TotalOut(many=True)
    days = DayOut(many=True)


class LevelOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF pops fields off the class
    target = serializers.IntegerField(allow_null=True)
    completes = serializers.IntegerField()
    percent_of_target = serializers.FloatField(allow_null=True)


class StratumOut(serializers.Serializer[Any]):
    dimension = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF pops fields off the class
    available = serializers.BooleanField()
    unknown = serializers.IntegerField()
    levels = LevelOut(many=True)


class ProgressOut(serializers.Serializer[Any]):
    wave = serializers.CharField(source="figures.quota.wave.code")
    figures = FiguresOut()
    invitation_states = serializers.DictField(child=serializers.IntegerField())
    days = DayOut(many=True)
    strata = StratumOut(many=True)


FIGURES_EXAMPLE = {
    "quota": 31, "station": 12, "station_name": "皖东理工学院调查站", "target": 120,
    "completes": 57, "partials": 9, "invitations": 150, "invitations_completed": 52,
    "percent_of_target": 47.5, "response_rate": 34.7, "lagging": False,
}  # fmt: skip
DAYS_EXAMPLE = [{"day": "2026-10-08", "completes": 12, "cumulative": 12},
                {"day": "2026-10-09", "completes": 9, "cumulative": 21}]  # fmt: skip
TOTAL_EXAMPLE = {"label": "", "stations": 40, "target": 4800, "completes": 2210, "partials": 310,
                 "invitations": 6100, "lagging": 6, "percent_of_target": 46.0}  # fmt: skip


class WaveMonitorAction:
    """``GET /waves/{code}/monitor/`` (mixed into the wave viewset)."""

    @documented(
        summary="Wave monitor",
        description="Completes against quota for every station of the wave, totals by "
        "region and sector, the lagging stations and completes per day (Beijing time). A "
        "station is lagging when its share of target trails the elapsed share of the "
        "fieldwork period by more than 15 points (closed waves: below 50%).",
        parameters=[OpenApiParameter("sort", str, enum=list(monitoring.SORTS))],
        responses={200: MonitorOut},
        examples=[example("monitor", {
            "wave": "2026-Q4", "sort": "region", "elapsed_percent": 52.1, "total": TOTAL_EXAMPLE,
            "stations": [FIGURES_EXAMPLE], "by_region": [{**TOTAL_EXAMPLE, "label": "琅琊区"}],
            "by_sector": [{**TOTAL_EXAMPLE, "label": "高等院校"}], "days": DAYS_EXAMPLE,
        })],
    )  # fmt: skip
    @action(detail=True, methods=["get"], permission_classes=[OfficeOnly], filter_backends=[],
            pagination_class=None)  # fmt: skip
    def monitor(self, request: Request, code: str | None = None) -> Response:
        wave = self.get_object()  # type: ignore[attr-defined]
        sort = query_choice(request, "sort", monitoring.SORTS) or monitoring.DEFAULT_SORT
        monitor = monitoring.office_monitor(wave, sort)
        payload = dict(vars(monitor), days=monitoring.completes_per_day(wave))
        return Response(MonitorOut(payload).data)


class QuotaProgressAction:
    """``GET /quotas/{id}/progress/`` (mixed into the quota viewset)."""

    @documented(
        summary="Station progress",
        description="One station's progress in a wave: completes against its quota, "
        "invitations by state, completes per day and completes against any targets by "
        "stratum (title, sex, age group from the answers).",
        responses={200: ProgressOut},
        examples=[example("progress", {
            "wave": "2026-Q4", "figures": FIGURES_EXAMPLE,
            "invitation_states": {"sent": 60, "opened": 20, "started": 18, "completed": 52,
                                  "expired": 0},
            "days": DAYS_EXAMPLE,
            "strata": [{"dimension": "title", "label": "Professional title", "available": True,
                        "unknown": 1, "levels": [{"code": "senior", "label": "Full senior (正高)",
                                                  "target": 10, "completes": 4,
                                                  "percent_of_target": 40.0}]}],
        })],
    )  # fmt: skip
    @action(detail=True, methods=["get"], permission_classes=[StationWork], filter_backends=[],
            pagination_class=None)  # fmt: skip
    def progress(self, request: Request, pk: str | None = None) -> Response:
        quota = self.get_object()  # type: ignore[attr-defined]
        return Response(ProgressOut(monitoring.station_dashboard(quota)).data)
