"""Regions, sectors and stations. Station writes go through network.services."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from survey_platform.core.permissions import signed_in
from survey_platform.network import services
from survey_platform.network.models import Region, Sector, Station, StationLevel
from survey_platform.network.selectors import stations_for_user

from .base import StrictSerializer, documented, documented_reads, example, parse
from .permissions import OfficeWritesStationReads

MAX_FRAME = 10_000_000

REGION_EXAMPLE = {"code": "341102", "name": "琅琊区", "name_en": "Langya District",
                  "level": "county", "parent": "341100"}  # fmt: skip
SECTOR_EXAMPLE = {"code": "university", "name": "高等院校", "name_en": "Universities", "order": 1}
STATION_EXAMPLE = {
    "id": 12, "name": "皖东理工学院调查站", "host_institution": "皖东理工学院",
    "region": "341102", "sector": "university", "level": "city", "active": True,
    "frame_size": 1800, "contact_name": "王老师", "contact_phone": "0550-0000000",
    "contact_email": "survey@example.edu.cn", "address": "滁州市琅琊区",
    "created_at": "2026-03-01T09:00:00+08:00", "updated_at": "2026-03-01T09:00:00+08:00",
}  # fmt: skip


# --- regions and sectors --------------------------------------------------------------------


class RegionOut(serializers.ModelSerializer[Region]):
    # DRF's metaclass takes declared fields off the class: no clash with Field.parent.
    parent: serializers.SlugRelatedField[Region]  # type: ignore[assignment]
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Region
        fields = ["code", "name", "name_en", "level", "parent"]


class SectorOut(serializers.ModelSerializer[Sector]):
    class Meta:
        model = Sector
        fields = ["code", "name", "name_en", "order"]


@documented_reads(
    REGION_EXAMPLE,
    list_summary="List regions",
    list_description="The city and its county-level divisions, by division code.",
    list_example="regions",
    retrieve_summary="One region",
    retrieve_description="A region by its division code.",
    retrieve_example="region",
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet[Region]):
    """The city and its county-level divisions (national division codes)."""

    permission_classes = [OfficeWritesStationReads]
    queryset = Region.objects.select_related("parent").order_by("code")
    serializer_class = RegionOut
    lookup_field = "code"
    lookup_value_regex = "[0-9]{1,12}"
    filterset_fields = ["level"]


@documented_reads(
    SECTOR_EXAMPLE,
    list_summary="List sectors",
    list_description="The host-institution sectors in display order.",
    list_example="sectors",
    retrieve_summary="One sector",
    retrieve_description="A sector by its code.",
    retrieve_example="sector",
)
class SectorViewSet(viewsets.ReadOnlyModelViewSet[Sector]):
    """Host-institution sectors (the strata of the design)."""

    permission_classes = [OfficeWritesStationReads]
    queryset = Sector.objects.order_by("order", "code")
    serializer_class = SectorOut
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_-]{1,20}"


# --- stations -------------------------------------------------------------------------------


class StationOut(serializers.ModelSerializer[Station]):
    region: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    sector: serializers.SlugRelatedField[Sector] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Station
        fields = ["id", "name", "host_institution", "region", "sector", "level", "active",
                  "frame_size", "contact_name", "contact_phone", "contact_email", "address",
                  "created_at", "updated_at"]  # fmt: skip


class StationIn(StrictSerializer):
    name = serializers.CharField(max_length=120)
    host_institution = serializers.CharField(max_length=160)
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.filter(level=Region.Level.COUNTY)
    )
    sector = serializers.SlugRelatedField(slug_field="code", queryset=Sector.objects.all())
    level = serializers.ChoiceField(choices=StationLevel.choices, default=StationLevel.CITY)
    active = serializers.BooleanField(default=True)
    frame_size = serializers.IntegerField(min_value=0, max_value=MAX_FRAME)
    contact_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)


class StationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or host institution contains")
    region = django_filters.CharFilter(field_name="region__code", label="Region division code")
    sector = django_filters.CharFilter(field_name="sector__code", label="Sector code")

    class Meta:
        model = Station
        fields = ["q", "region", "sector", "level", "active"]

    def search(self, queryset: QuerySet[Station], name: str, value: str) -> QuerySet[Station]:
        return queryset.filter(Q(name__icontains=value) | Q(host_institution__icontains=value))


@documented_reads(
    STATION_EXAMPLE,
    list_summary="List stations",
    list_description="Stations with their host institution, region, sector and number of "
    "S&T workers. Filter by `region`, `sector` (codes), `level`, `active` or `q`.",
    list_example="stations",
    retrieve_summary="One station",
    retrieve_description="A station by id.",
    retrieve_example="station",
)
class StationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Station],
):
    """Survey stations. Station staff see only their own stations."""

    permission_classes = [OfficeWritesStationReads]
    serializer_class = StationOut
    filterset_class = StationFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Station]:
        return stations_for_user(self.request.user)

    @documented(
        summary="Create a station",
        description="Adds a station to the network (audited). The name must be unique "
        "within its region; the region is a county-level division.",
        request=StationIn,
        responses={201: StationOut},
        examples=[
            example(
                "new station",
                {
                    k: v
                    for k, v in STATION_EXAMPLE.items()
                    if k not in ("id", "created_at", "updated_at")
                },
                request=True,
            ),
            example("created", STATION_EXAMPLE, status=201),
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = parse(StationIn, request)
        station = services.station_create(actor=signed_in(request), **data)
        return Response(StationOut(station).data, status=201)

    @documented(
        summary="Change a station",
        description="Changes the given fields of a station (audited with the old and new values).",
        request=StationIn,
        responses={200: StationOut},
        examples=[
            example("change frame size", {"frame_size": 1900, "active": True}, request=True),
            example("changed", STATION_EXAMPLE),
        ],
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        station = self.get_object()
        data = parse(StationIn, request, partial=True)
        station = services.station_update(actor=signed_in(request), station=station, **data)
        return Response(StationOut(station).data)
