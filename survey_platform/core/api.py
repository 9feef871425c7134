"""Shared API pieces: role permissions and the one error format.

Every error response is ``{"detail": <translated message>, "errors": {field: [..]}}`` with
the status of the domain error (400/403/404/409), whatever raised it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import NotFound, SurveyError, ValidationFailed
from .roles import is_office


class IsOffice(permissions.BasePermission):
    message = _("Only the survey office may do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_office(request.user)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = NotFound()  # translated, and no model name ("No Station matches …")
    if isinstance(exc, RequestDataTooBig):  # over DATA_UPLOAD_MAX_MEMORY_SIZE: 413, not 400
        from survey_platform.api.parsers import PayloadTooLarge

        exc = PayloadTooLarge()
    if isinstance(exc, SurveyError):
        body: dict[str, Any] = {"detail": exc.message}
        if isinstance(exc, ValidationFailed) and exc.errors:
            body["errors"] = exc.errors
        return Response(body, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        detail = _first_message(response.data) or str(SurveyError.default_message)
        response.data = {"detail": detail, "errors": response.data}
    elif response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(map(str, response.data))}
    return response


def _first_message(errors: Any) -> str:
    """The first message of a (possibly nested) DRF error structure."""
    if isinstance(errors, dict):
        for value in errors.values():
            found = _first_message(value)
            if found:
                return found
        return ""
    if isinstance(errors, list):
        for value in errors:
            found = _first_message(value)
            if found:
                return found
        return ""
    return str(errors) if errors else ""
