"""Waves and station quotas, through fieldwork.services (the wave monitor, analysis
results and answer-code actions are mixed in from monitoring.py, analysis.py and
invitations.py)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from instruments.models import InstrumentVersion
from survey_platform.core.permissions import signed_in
from survey_platform.core.roles import is_office
from survey_platform.core.scoping import station_ids_for
from survey_platform.fieldwork import services
from survey_platform.fieldwork.models import StationQuota, Wave, WaveKind
from survey_platform.fieldwork.posters import open_link
from survey_platform.network.models import Station

from .analysis import WaveAnalysisActions
from .base import (
    WAVE_CODE,
    DateTimeField,
    StrictSerializer,
    documented,
    documented_reads,
    example,
    no_body,
    parse,
)
from .exports import WaveExportAction
from .invitations import QUOTA_EXAMPLE, QuotaInvitationActions
from .monitoring import QuotaProgressAction, WaveMonitorAction
from .parsers import BODYLESS
from .permissions import OfficeOnly, OfficeWritesStationReads

MAX_TARGET = 100_000

WAVE_EXAMPLE = {
    "code": "2026-Q4", "title": "2026年第四季度科技工作者状况调查",
    "title_en": "S&T worker status survey, 2026 Q4", "kind": "comprehensive",
    "instrument": "stws-standard", "instrument_version": 3, "status": "open",
    "opens_at": "2026-10-08T08:00:00+08:00", "closes_at": "2026-11-30T23:59:00+08:00",
    "exclude_flagged": True, "purge_after_days": 30, "purged_at": None,
    "previous": "2026-Q2", "created_at": "2026-09-20T10:00:00+08:00",
}  # fmt: skip
WAVE_IN_EXAMPLE = {
    "code": "2027-Q2", "title": "2027年第二季度快速调查", "kind": "quick",
    "instrument_version": 4, "opens_at": "2027-04-01T08:00:00+08:00",
    "closes_at": "2027-04-30T23:59:00+08:00",
}  # fmt: skip


# --- waves ----------------------------------------------------------------------------------


class WaveOut(serializers.ModelSerializer[Wave]):
    instrument = serializers.CharField(source="instrument_version.instrument.code")
    previous: serializers.SlugRelatedField[Wave] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Wave
        fields = ["code", "title", "title_en", "kind", "instrument", "instrument_version",
                  "status", "opens_at", "closes_at", "exclude_flagged", "purge_after_days",
                  "purged_at", "previous", "created_at"]  # fmt: skip


class WaveIn(StrictSerializer):
    code = serializers.RegexField(WAVE_CODE, max_length=20)
    title = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=WaveKind.choices)
    instrument_version = serializers.PrimaryKeyRelatedField(
        queryset=InstrumentVersion.objects.all()
    )
    opens_at = DateTimeField()
    closes_at = DateTimeField()
    exclude_flagged = serializers.BooleanField(required=False)
    purge_after_days = serializers.IntegerField(min_value=0, max_value=3650, required=False)


class WaveCopyIn(StrictSerializer):
    code = serializers.RegexField(WAVE_CODE, max_length=20)
    opens_at = DateTimeField()
    closes_at = DateTimeField()


def waves_for_user(user: Any) -> QuerySet[Wave]:
    """Office: every wave. Station staff: the waves their stations have a quota in."""
    waves = Wave.objects.select_related("instrument_version__instrument", "previous")
    if not user.is_authenticated:
        return waves.none()
    if is_office(user):
        return waves
    return waves.filter(quotas__station__in=station_ids_for(user)).distinct()


@documented_reads(
    WAVE_EXAMPLE,
    list_summary="List waves",
    list_description="Survey waves, newest first. Station staff see the waves their "
    "stations take part in. Filter by `status` or `kind`.",
    list_example="waves",
    retrieve_summary="One wave",
    retrieve_description="A wave by its code.",
    retrieve_example="wave",
)
class WaveViewSet(
    WaveMonitorAction,
    WaveExportAction,
    WaveAnalysisActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Wave],
):
    """Survey waves, looked up by code."""

    permission_classes = [OfficeWritesStationReads]
    serializer_class = WaveOut
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_fields = ["status", "kind"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Wave]:
        return waves_for_user(self.request.user)

    @documented(
        summary="Create a wave",
        description="A draft wave on a published questionnaire version (audited). Set the "
        "station quotas next, then open it.",
        request=WaveIn,
        responses={201: WaveOut},
        examples=[example("new wave", WAVE_IN_EXAMPLE, request=True),
                  example("created", {**WAVE_EXAMPLE, "status": "draft"}, status=201)],
    )  # fmt: skip
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        wave = services.wave_create(actor=signed_in(request), **parse(WaveIn, request))
        return Response(WaveOut(wave).data, status=201)

    @documented(
        summary="Change a wave",
        description="A draft wave may change in everything; an open wave only in its "
        "titles, closing time and analysis settings; a closed one only in its analysis "
        "settings (409 otherwise).",
        request=WaveIn,
        responses={200: WaveOut},
        examples=[example("extend", {"closes_at": "2026-12-15T23:59:00+08:00"}, request=True),
                  example("changed", WAVE_EXAMPLE)],
    )  # fmt: skip
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        wave = self.get_object()
        data = parse(WaveIn, request, partial=True)
        return Response(
            WaveOut(services.wave_update(actor=signed_in(request), wave=wave, **data)).data
        )

    def _transition(self, request: Request, service: Any) -> Response:
        wave = self.get_object()
        no_body(request)
        return Response(WaveOut(service(actor=signed_in(request), wave=wave)).data)

    @documented(
        summary="Open a wave",
        description="Draft → open. Needs at least one station quota and a closing time in "
        "the future (409 otherwise).",
        request=None,
        responses={200: WaveOut},
        examples=[example("opened", WAVE_EXAMPLE)],
    )
    @action(detail=True, methods=["post"], permission_classes=[OfficeOnly],
            parser_classes=BODYLESS)  # fmt: skip
    def open(self, request: Request, code: str | None = None) -> Response:
        return self._transition(request, services.wave_open)

    @documented(
        summary="Close a wave",
        description="Open → closed; no answers are taken afterwards.",
        request=None,
        responses={200: WaveOut},
        examples=[example("closed", {**WAVE_EXAMPLE, "status": "closed"})],
    )
    @action(detail=True, methods=["post"], permission_classes=[OfficeOnly],
            parser_classes=BODYLESS)  # fmt: skip
    def close(self, request: Request, code: str | None = None) -> Response:
        return self._transition(request, services.wave_close)

    @documented(
        summary="Mark a wave analysed",
        description="Closed → analysed.",
        request=None,
        responses={200: WaveOut},
        examples=[example("analysed", {**WAVE_EXAMPLE, "status": "analysed"})],
    )
    @action(detail=True, methods=["post"], permission_classes=[OfficeOnly],
            parser_classes=BODYLESS)  # fmt: skip
    def analysed(self, request: Request, code: str | None = None) -> Response:
        return self._transition(request, services.wave_mark_analysed)

    @documented(
        summary="Copy as the next wave",
        description="A new draft wave with the same questionnaire, kind and quotas, new "
        "code and dates; it records this wave as its previous one.",
        request=WaveCopyIn,
        responses={201: WaveOut},
        examples=[
            example("next quarter", {"code": "2027-Q1", "opens_at": "2027-01-05T08:00:00+08:00",
                                     "closes_at": "2027-02-28T23:59:00+08:00"}, request=True),
            example("created", {**WAVE_EXAMPLE, "code": "2027-Q1", "status": "draft",
                                "previous": "2026-Q4"}, status=201),
        ],
    )  # fmt: skip
    @action(detail=True, methods=["post"], permission_classes=[OfficeOnly])
    def copy(self, request: Request, code: str | None = None) -> Response:
        wave = self.get_object()
        data = parse(WaveCopyIn, request)
        new = services.wave_copy_next(actor=signed_in(request), wave=wave, **data)
        return Response(WaveOut(new).data, status=201)


# --- quotas ---------------------------------------------------------------------------------


class QuotaOut(serializers.ModelSerializer[StationQuota]):
    wave: serializers.SlugRelatedField[Wave] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    station_name = serializers.CharField(source="station.name")
    open_link = serializers.SerializerMethodField()

    class Meta:
        model = StationQuota
        fields = ["id", "wave", "station", "station_name", "target", "strata", "completes",
                  "open_link_enabled", "open_link"]  # fmt: skip

    def get_open_link(self, quota: StationQuota) -> str:
        request = self.context.get("request")
        base = request.build_absolute_uri("/") if request is not None else "/"
        return open_link(base, quota)


def strata_field() -> serializers.DictField:
    return serializers.DictField(
        child=serializers.DictField(
            child=serializers.IntegerField(min_value=0, max_value=MAX_TARGET)
        ),
        required=False,
        help_text='Optional targets by stratum, e.g. {"title": {"senior": 10}}.',
    )


class QuotaIn(StrictSerializer):
    wave = serializers.SlugRelatedField(slug_field="code", queryset=Wave.objects.all())
    station = serializers.PrimaryKeyRelatedField(queryset=Station.objects.filter(active=True))
    target = serializers.IntegerField(min_value=1, max_value=MAX_TARGET)
    strata = strata_field()


class QuotaChangeIn(StrictSerializer):
    target = serializers.IntegerField(min_value=1, max_value=MAX_TARGET, required=False)
    strata = strata_field()


class QuotaFilter(django_filters.FilterSet):
    wave = django_filters.CharFilter(field_name="wave__code", label="Wave code")

    class Meta:
        model = StationQuota
        fields = ["wave", "station"]


@documented_reads(
    QUOTA_EXAMPLE,
    list_summary="List quotas",
    list_description="Station quotas with completes so far and the station's open link. "
    "Filter by `wave` (code) or `station` (id).",
    list_example="quotas",
    retrieve_summary="One quota",
    retrieve_description="A station quota by id.",
    retrieve_example="quota",
)
class QuotaViewSet(
    QuotaInvitationActions,
    QuotaProgressAction,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[StationQuota],
):
    """A station's quota in a wave: the unit station staff work on."""

    permission_classes = [OfficeWritesStationReads]
    serializer_class = QuotaOut
    filterset_class = QuotaFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[StationQuota]:
        return (
            StationQuota.objects.for_user(self.request.user)
            .select_related("wave__instrument_version", "station")
            .order_by("-wave__opens_at", "station__name", "pk")
        )

    @documented(
        summary="Set a station's quota",
        description="Creates the station's quota in the wave (201) or changes its target "
        "(200). A target below the completes received, or any change in a closed wave, "
        "is refused.",
        request=QuotaIn,
        responses={201: QuotaOut, 200: QuotaOut},
        examples=[
            example("set", {"wave": "2026-Q4", "station": 12, "target": 120}, request=True),
            example("created", QUOTA_EXAMPLE, status=201),
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = parse(QuotaIn, request)
        existed = StationQuota.objects.filter(wave=data["wave"], station=data["station"]).exists()
        quota = services.quota_set(actor=signed_in(request), **data)
        return Response(self._out(quota), status=200 if existed else 201)

    @documented(
        summary="Change a quota",
        description="New target and/or targets by stratum.",
        request=QuotaChangeIn,
        responses={200: QuotaOut},
        examples=[
            example("raise", {"target": 150}, request=True),
            example("changed", QUOTA_EXAMPLE),
        ],
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        quota = self.get_object()
        data = parse(QuotaChangeIn, request)
        quota = services.quota_set(
            actor=signed_in(request),
            wave=quota.wave,
            station=quota.station,
            target=data.get("target", quota.target),
            strata=data.get("strata", quota.strata),
        )
        return Response(self._out(quota))

    def _out(self, quota: StationQuota) -> dict[str, Any]:
        return QuotaOut(quota, context=self.get_serializer_context()).data
