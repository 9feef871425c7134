"""REST API for questionnaires (office only). Uses the same services as the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from instruments.xlsform import write_xlsform
from survey_platform.core.api import IsOffice

from . import services
from .models import Instrument, InstrumentKind, InstrumentVersion
from .selectors import schema_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class InstrumentOut(serializers.ModelSerializer):
    class Meta:
        model = Instrument
        fields = ["code", "name", "name_en", "kind", "created_at"]


class InstrumentIn(serializers.Serializer):
    code = serializers.SlugField(max_length=60)
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=InstrumentKind.choices, default=InstrumentKind.STANDARD)


class VersionOut(serializers.ModelSerializer):
    instrument = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = InstrumentVersion
        fields = ["id", "instrument", "number", "status", "checksum", "note", "created_at",
                  "published_at", "definition"]  # fmt: skip


class VersionIn(serializers.Serializer):
    instrument = serializers.SlugRelatedField(slug_field="code", queryset=Instrument.objects.all())
    definition = serializers.JSONField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class DefinitionIn(serializers.Serializer):
    definition = serializers.JSONField()


class UploadIn(serializers.Serializer):
    file = serializers.FileField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class InstrumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Questionnaires. Survey office only."""

    permission_classes = [IsOffice]
    queryset = Instrument.objects.all()
    serializer_class = InstrumentOut
    lookup_field = "code"
    filterset_fields = ["kind"]

    @extend_schema(request=InstrumentIn, responses=InstrumentOut)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = InstrumentIn(data=request.data)
        data.is_valid(raise_exception=True)
        instrument = services.instrument_create(actor=request.user, **data.validated_data)
        return Response(InstrumentOut(instrument).data, status=201)

    @extend_schema(
        request={"multipart/form-data": UploadIn},
        responses={201: VersionOut},
        description="Import an XLSForm workbook as a new draft version of this questionnaire. "
        "Every problem is reported with its sheet, row and column; nothing is saved then.",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser], url_path="import")
    def import_xlsform(self, request: Request, code: str | None = None) -> Response:
        instrument = self.get_object()
        data = UploadIn(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_import_xlsform(
            actor=request.user,
            instrument=instrument,
            data=data.validated_data["file"].read(),
            note=data.validated_data.get("note", ""),
        )
        return Response(VersionOut(version).data, status=201)


class VersionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Questionnaire versions. A draft may be edited; a published version never changes
    (409). Survey office only."""

    permission_classes = [IsOffice]
    queryset = InstrumentVersion.objects.select_related("instrument").order_by(
        "instrument", "number"
    )
    serializer_class = VersionOut
    filterset_fields = ["instrument__code", "status"]

    @extend_schema(
        request=VersionIn,
        responses={201: VersionOut},
        examples=[
            OpenApiExample("minimal", value={"instrument": "stws-standard", "definition": {}})
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = VersionIn(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_create(actor=request.user, **data.validated_data)
        return Response(VersionOut(version).data, status=201)

    @extend_schema(request=DefinitionIn, responses=VersionOut)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = DefinitionIn(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_update_draft(
            actor=request.user,
            version=self.get_object(),
            definition=data.validated_data["definition"],
        )
        return Response(VersionOut(version).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.version_discard_draft(actor=request.user, version=self.get_object())
        return Response(status=204)

    @extend_schema(request=None, responses=VersionOut)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        version = services.version_publish(actor=request.user, version=self.get_object())
        return Response(VersionOut(version).data)

    @extend_schema(request=None, responses={201: VersionOut})
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, pk: str | None = None) -> Response:
        version = services.version_copy(actor=request.user, version=self.get_object())
        return Response(VersionOut(version).data, status=201)

    @extend_schema(responses={(200, XLSX): bytes})
    @action(detail=True, methods=["get"])
    def xlsform(self, request: Request, pk: str | None = None) -> HttpResponse:
        version = get_object_or_404(self.get_queryset(), pk=pk)
        response = HttpResponse(write_xlsform(schema_of(version)), content_type=XLSX)
        filename = f"{version.instrument.code}-v{version.number}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
