"""Request parsers that refuse an oversized body before reading it (413, error format).

One limit, ``DATA_UPLOAD_MAX_MEMORY_SIZE``, for every API body (a roster is at most
2 MB; the XLSForm upload has its own, larger one). A JSON body is read through
``request.body``, where Django raises ``RequestDataTooBig``, which the exception handler
(core/api.py) turns into the same 413; a multipart body is streamed to the upload
handlers, so its size is checked here from ``Content-Length`` before anything is read.

Every parser also refuses text that is never valid (NUL, lone surrogates, non-characters:
:mod:`instruments.text`) with a 400 in the error format; an upload's file is left to
the reader of its content.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

from instruments.text import value_problem
from survey_platform.core.middleware import refusal_message


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


def max_body_bytes() -> int | None:
    return getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None)


def check_size(parser_context: dict[str, Any] | None, limit: int | None = None) -> None:
    request = (parser_context or {}).get("request")
    limit = limit or max_body_bytes()
    if request is None or limit is None:
        return
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise PayloadTooLarge(
            _("The request body is too large (%(size)s; at most %(max)s).")
            % {"size": filesizeformat(length), "max": filesizeformat(limit)}
        )


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        check_size(parser_context)
        data = super().parse(stream, media_type, parser_context)
        # The middleware refuses these first; this is for callers that skip it (tests with
        # a request factory, another middleware stack): ``json`` decodes "\ud800" into a
        # lone surrogate, which no serializer field of ours looks for.
        problem = value_problem(data)
        if problem is not None:
            raise exceptions.ParseError(refusal_message(problem))
        return data


class MultiPartParser(parsers.MultiPartParser):
    #: A larger limit for an upload whose service allows a larger file.
    max_bytes: int | None = None

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        check_size(parser_context, self.max_bytes)
        parsed = super().parse(stream, media_type, parser_context)
        _refuse_invalid_text(list(parsed.data.lists()))
        return parsed


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        check_size(parser_context)
        data = super().parse(stream, media_type, parser_context)
        _refuse_invalid_text(list(data.lists()))
        return data


def _refuse_invalid_text(fields: Any) -> None:
    problem = value_problem(fields)
    if problem is not None:
        raise exceptions.ParseError(refusal_message(problem))


#: For actions that take no body: an empty form post (what a plain HTML form or a test
#: client sends) is as good as no body; any field in it is still refused (400).
BODYLESS = [JSONParser, FormParser, MultiPartParser]
