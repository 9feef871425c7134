"""Shared pieces of the API modules: strict input serializers and small view helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.request import Request

from survey_platform.core.errors import NotFound

ViewT = TypeVar("ViewT", bound=type)
F = TypeVar("F", bound=Callable[..., Any])


class StrictSerializer(serializers.Serializer[Any]):
    """Fields not listed here are refused (400): a misspelt field must not look as if
    it had been accepted."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            known = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in known)
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class Empty(StrictSerializer):
    """No body (or an empty object)."""


class ErrorOut(serializers.Serializer[Any]):
    """The one error format: a translated message and, for bad input, the field errors."""

    detail = serializers.CharField()
    # a declared field: DRF's serializer metaclass takes it off the class, so it does
    # not replace the ``errors`` property the stubs see
    errors = serializers.DictField(  # type: ignore[assignment]
        required=False,
        child=serializers.JSONField(),
        help_text="Field name (or `__all__`/`non_field_errors`) → list of messages.",
    )


def parse(serializer_class: type[serializers.Serializer[Any]], request: Request, **kw: Any) -> Any:
    """Validated data of the request body, or 400 in the error format."""
    # A JSON ``null`` body stays None, which the serializer refuses ("No data provided").
    serializer = serializer_class(data=request.data, **kw)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def no_body(request: Request) -> None:
    """Actions without parameters still refuse fields they do not take."""
    parse(Empty, request)


def get_or_404(queryset: QuerySet[Any], **lookup: Any) -> Any:
    """The object, or 404 in the error format (also for a value of the wrong shape)."""
    try:
        obj = queryset.filter(**lookup).first()
    except (ValueError, TypeError, DjangoValidationError):
        obj = None
    if obj is None:
        raise NotFound()
    return obj


def documented(
    *,
    summary: str,
    description: str,
    examples: list[OpenApiExample],
    **kwargs: Any,
) -> Callable[[F], F]:
    """``extend_schema`` with the parts every endpoint must have (the permissions are
    added from the permission classes by ``schema.AutoSchema``)."""
    return extend_schema(summary=summary, description=description, examples=examples, **kwargs)


def documented_reads(
    item: Any,
    *,
    list_summary: str,
    list_description: str,
    list_example: str,
    retrieve_summary: str,
    retrieve_description: str,
    retrieve_example: str,
) -> Callable[[ViewT], ViewT]:
    """Class decorator documenting a viewset's inherited ``list`` and ``retrieve`` once
    (``extend_schema_view``), so that they need not be overridden just to carry
    ``@documented``. ``item`` is the example object: a page of it for the list, itself
    for retrieve."""
    return extend_schema_view(
        list=documented(
            summary=list_summary,
            description=list_description,
            examples=[example(list_example, page_example([item]))],
        ),
        retrieve=documented(
            summary=retrieve_summary,
            description=retrieve_description,
            examples=[example(retrieve_example, item)],
        ),
    )


def example(name: str, value: Any, *, request: bool = False, status: int = 200) -> OpenApiExample:
    if request:
        return OpenApiExample(name, value=value, request_only=True)
    return OpenApiExample(name, value=value, response_only=True, status_codes=[str(status)])


def page_example(items: list[Any]) -> dict[str, Any]:
    """A paginated list as the pagination class returns it."""
    return {"count": len(items), "next": None, "previous": None, "results": items}


class DateTimeField(serializers.DateTimeField):
    """A date-time between the years 2000 and 2100: far-off values would overflow when
    converted between time zones, and no survey is planned that far out."""

    def to_internal_value(self, value: Any) -> Any:
        parsed = super().to_internal_value(value)
        if not 2000 <= parsed.year <= 2100:
            raise serializers.ValidationError(_("Give a date between the years 2000 and 2100."))
        return parsed


WAVE_CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}\Z"
#: The languages of e-mails and of the respondent form.
LANGUAGE_CHOICES = [("zh-hans", "Chinese"), ("en", "English")]


def query_choice(request: Request, name: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """A query parameter restricted to ``choices``: None when absent, 400 when invalid."""
    if name not in request.query_params:
        return None
    value = request.query_params[name]
    if value not in choices:
        raise serializers.ValidationError(
            {name: [_("“%(value)s” is not a valid choice.") % {"value": value[:50]}]}
        )
    return value


def path_example(name: str, value: Any, description: str) -> OpenApiParameter:
    """A path parameter with an example: the example of an endpoint without a JSON body
    either way (a file download, a 204)."""
    return OpenApiParameter(
        name,
        type=type(value),
        location=OpenApiParameter.PATH,
        description=description,
        examples=[OpenApiExample(name, value=value)],
    )
