"""REST API for questionnaires (office only). Uses the same services as the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from instruments.xlsform import write_xlsform
from survey_platform.api.base import (
    StrictSerializer,
    documented,
    documented_reads,
    example,
    no_body,
    parse,
    path_example,
)
from survey_platform.api.parsers import BODYLESS, MultiPartParser
from survey_platform.core.api import IsOffice
from survey_platform.core.permissions import signed_in

from . import services
from .models import Instrument, InstrumentKind, InstrumentVersion
from .selectors import schema_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

INSTRUMENT_EXAMPLE = {"code": "stws-standard", "name": "科技工作者状况调查问卷（标准版）",
                      "name_en": "S&T worker status questionnaire (standard)",
                      "kind": "standard", "created_at": "2026-01-10T09:00:00+08:00"}  # fmt: skip
DEFINITION_EXAMPLE = {
    "id": "quick", "version": "1", "title": {"zh-hans": "快速调查", "en": "Quick survey"},
    "languages": ["zh-hans", "en"], "default_language": "zh-hans",
    "choice_lists": [{"name": "yn", "choices": [
        {"code": "1", "label": {"zh-hans": "是", "en": "Yes"}},
        {"code": "2", "label": {"zh-hans": "否", "en": "No"}},
    ]}],
    "items": [{"code": "Q1", "type": "single", "choices": "yn", "required": True,
               "label": {"zh-hans": "您主持科研项目吗？", "en": "Do you lead a project?"}}],
}  # fmt: skip
VERSION_EXAMPLE = {"id": 7, "instrument": "stws-quick", "number": 2, "status": "draft",
                   "checksum": "", "note": "", "created_at": "2026-09-01T10:00:00+08:00",
                   "published_at": None, "definition": DEFINITION_EXAMPLE}  # fmt: skip
PUBLISHED_EXAMPLE = {**VERSION_EXAMPLE, "status": "published", "checksum": "5d41402abc4b2a76…",
                     "published_at": "2026-09-02T10:00:00+08:00"}  # fmt: skip


class InstrumentOut(serializers.ModelSerializer[Instrument]):
    class Meta:
        model = Instrument
        fields = ["code", "name", "name_en", "kind", "created_at"]


class InstrumentIn(StrictSerializer):
    code = serializers.SlugField(max_length=60)
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=InstrumentKind.choices, default=InstrumentKind.STANDARD)


class VersionOut(serializers.ModelSerializer[InstrumentVersion]):
    instrument: serializers.SlugRelatedField[Instrument] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = InstrumentVersion
        fields = ["id", "instrument", "number", "status", "checksum", "note", "created_at",
                  "published_at", "definition"]  # fmt: skip


def definition_field() -> serializers.DictField:
    return serializers.DictField(help_text="The questionnaire as instrument JSON.")


class VersionIn(StrictSerializer):
    instrument = serializers.SlugRelatedField(slug_field="code", queryset=Instrument.objects.all())
    definition = definition_field()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class DefinitionIn(StrictSerializer):
    definition = definition_field()


class UploadIn(StrictSerializer):
    file = serializers.FileField(help_text="An XLSForm workbook (.xlsx), at most 5 MB.")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class XlsformParser(MultiPartParser):
    max_bytes = services.MAX_UPLOAD_BYTES + 64 * 1024


@documented_reads(
    INSTRUMENT_EXAMPLE,
    list_summary="List questionnaires",
    list_description="Every questionnaire (instrument); filter by `kind`.",
    list_example="questionnaires",
    retrieve_summary="One questionnaire",
    retrieve_description="A questionnaire by its code.",
    retrieve_example="questionnaire",
)
class InstrumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Instrument],
):
    """Questionnaires. Survey office only."""

    permission_classes = [IsOffice]
    queryset = Instrument.objects.all()
    serializer_class = InstrumentOut
    lookup_field = "code"
    filterset_fields = ["kind"]

    @documented(
        summary="Create a questionnaire",
        description="A new questionnaire without versions (audited).",
        request=InstrumentIn,
        responses={201: InstrumentOut},
        examples=[
            example("new", {k: INSTRUMENT_EXAMPLE[k] for k in ("code", "name", "kind")},
                    request=True),
            example("created", INSTRUMENT_EXAMPLE, status=201),
        ],
    )  # fmt: skip
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = parse(InstrumentIn, request)
        instrument = services.instrument_create(actor=signed_in(request), **data)
        return Response(InstrumentOut(instrument).data, status=201)

    @documented(
        summary="Import an XLSForm",
        description="Import an XLSForm workbook as a new draft version of this "
        "questionnaire. Every problem is reported with its sheet, row and column; nothing "
        "is saved then.",
        request={"multipart/form-data": UploadIn},
        responses={201: VersionOut},
        examples=[example("imported", VERSION_EXAMPLE, status=201)],
    )
    @action(detail=True, methods=["post"], parser_classes=[XlsformParser], url_path="import")
    def import_xlsform(self, request: Request, code: str | None = None) -> Response:
        instrument = self.get_object()
        data = parse(UploadIn, request)
        version = services.version_import_xlsform(
            actor=signed_in(request),
            instrument=instrument,
            data=data["file"].read(),
            note=data.get("note", ""),
        )
        return Response(VersionOut(version).data, status=201)


@documented_reads(
    PUBLISHED_EXAMPLE,
    list_summary="List questionnaire versions",
    list_description="Versions of every questionnaire; filter by `instrument__code` or "
    "`status` (draft/published).",
    list_example="versions",
    retrieve_summary="One questionnaire version",
    retrieve_description="A version with its full definition (instrument JSON).",
    retrieve_example="version",
)
class VersionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[InstrumentVersion],
):
    """Questionnaire versions. A draft may be edited; a published version never changes
    (409). Survey office only."""

    permission_classes = [IsOffice]
    queryset = InstrumentVersion.objects.select_related("instrument").order_by(
        "instrument", "number"
    )
    serializer_class = VersionOut
    filterset_fields = ["instrument__code", "status"]

    @documented(
        summary="Create a draft version",
        description="A new draft version from a definition; every problem of the "
        "definition is reported (400) and nothing is saved then.",
        request=VersionIn,
        responses={201: VersionOut},
        examples=[
            example("minimal", {"instrument": "stws-quick", "definition": DEFINITION_EXAMPLE},
                    request=True),
            example("created", VERSION_EXAMPLE, status=201),
        ],
    )  # fmt: skip
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        version = services.version_create(actor=signed_in(request), **parse(VersionIn, request))
        return Response(VersionOut(version).data, status=201)

    @documented(
        summary="Replace a draft's definition",
        description="A draft's definition is replaced; a published version is 409.",
        request=DefinitionIn,
        responses={200: VersionOut},
        examples=[example("edit", {"definition": DEFINITION_EXAMPLE}, request=True),
                  example("saved", VERSION_EXAMPLE)],
    )  # fmt: skip
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        version = self.get_object()
        data = parse(DefinitionIn, request, partial=kwargs.get("partial", False))
        if "definition" not in data:
            return Response(VersionOut(version).data)
        version = services.version_update_draft(
            actor=signed_in(request), version=version, definition=data["definition"]
        )
        return Response(VersionOut(version).data)

    @documented(
        summary="Change a draft's definition",
        description="As PUT; an empty body changes nothing.",
        request=DefinitionIn,
        responses={200: VersionOut},
        examples=[example("edit", {"definition": DEFINITION_EXAMPLE}, request=True),
                  example("saved", VERSION_EXAMPLE)],
    )  # fmt: skip
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @documented(
        summary="Discard a draft",
        description="Deletes a draft version (audited); a published version is 409.",
        parameters=[path_example("id", 7, "Version id")],
        examples=[],
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.version_discard_draft(actor=signed_in(request), version=self.get_object())
        return Response(status=204)

    @documented(
        summary="Publish a draft",
        description="Freezes the version and records its checksum; waves can use it from "
        "now on. A published version is 409.",
        request=None,
        responses=VersionOut,
        examples=[example("published", PUBLISHED_EXAMPLE)],
    )
    @action(detail=True, methods=["post"], parser_classes=BODYLESS)
    def publish(self, request: Request, pk: str | None = None) -> Response:
        version = self.get_object()
        no_body(request)
        return Response(
            VersionOut(services.version_publish(actor=signed_in(request), version=version)).data
        )

    @documented(
        summary="Copy as the next draft",
        description="A new draft with the same definition, numbered after the last version.",
        request=None,
        responses={201: VersionOut},
        examples=[example("copied", {**VERSION_EXAMPLE, "number": 3}, status=201)],
    )
    @action(detail=True, methods=["post"], parser_classes=BODYLESS)
    def copy(self, request: Request, pk: str | None = None) -> Response:
        version = self.get_object()
        no_body(request)
        return Response(
            VersionOut(services.version_copy(actor=signed_in(request), version=version)).data,
            status=201,
        )

    @documented(
        summary="Download as XLSForm",
        description="The version as an XLSForm workbook, which imports back unchanged.",
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY)},
        parameters=[path_example("id", 7, "Version id")],
        examples=[],
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def xlsform(self, request: Request, pk: str | None = None) -> HttpResponse:
        version = self.get_object()
        response = HttpResponse(write_xlsform(schema_of(version)), content_type=XLSX)
        filename = f"{version.instrument.code}-v{version.number}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
