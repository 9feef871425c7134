"""Django admin for the network. Saves go through the services so they are validated
the same way as on the pages and always leave an audit entry."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from survey_platform.core.permissions import signed_in

from . import services
from .models import PopulationMargin, Region, Sector, Station, StationMembership


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ("code", "name", "name_en", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name", "name_en")


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin[Sector]):
    list_display = ("code", "name", "name_en", "order")
    search_fields = ("code", "name", "name_en")


@admin.register(Station)
class StationAdmin(admin.ModelAdmin[Station]):
    list_display = ("name", "host_institution", "region", "sector", "level", "frame_size", "active")
    list_filter = ("active", "level", "region", "sector")
    search_fields = ("name", "host_institution", "contact_name")
    list_select_related = ("region", "sector")

    def save_model(self, request: HttpRequest, obj: Station, form: Any, change: bool) -> None:
        fields = {name: getattr(obj, name) for name in services.STATION_FIELDS}
        if change:
            services.station_update(actor=signed_in(request), station=obj, **fields)
        else:
            obj.pk = services.station_create(actor=signed_in(request), **fields).pk

    def delete_model(self, request: HttpRequest, obj: Station) -> None:
        services.station_delete(actor=signed_in(request), station=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Station]) -> None:
        for station in queryset:
            services.station_delete(actor=signed_in(request), station=station)


@admin.register(StationMembership)
class StationMembershipAdmin(admin.ModelAdmin[StationMembership]):
    list_display = ("user", "station", "role", "created_at")
    list_filter = ("role", "station__region", "station__sector")
    search_fields = ("user__username", "station__name")
    autocomplete_fields = ("station",)
    raw_id_fields = ("user",)

    def save_model(
        self, request: HttpRequest, obj: StationMembership, form: Any, change: bool
    ) -> None:
        if change:
            services.membership_update(actor=signed_in(request), membership=obj, role=obj.role)
        else:
            obj.pk = services.membership_add(
                actor=signed_in(request), station=obj.station, user=obj.user, role=obj.role
            ).pk

    def delete_model(self, request: HttpRequest, obj: StationMembership) -> None:
        services.membership_remove(actor=signed_in(request), membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[StationMembership]) -> None:
        for membership in queryset:
            services.membership_remove(actor=signed_in(request), membership=membership)


@admin.register(PopulationMargin)
class PopulationMarginAdmin(admin.ModelAdmin[PopulationMargin]):
    list_display = ("reference_year", "dimension", "level", "total", "source")
    list_filter = ("reference_year", "dimension")
    search_fields = ("level", "source")
