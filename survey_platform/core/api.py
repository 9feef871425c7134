"""Shared API pieces: role permissions and the one error format.

Every error response is ``{"detail": <translated message>, "errors": {field: [..]}}`` with
the status of the domain error (400/403/404/409), whatever raised it.
"""

from __future__ import annotations

from typing import Any

from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import SurveyError, ValidationFailed
from .roles import is_office


class IsOffice(permissions.BasePermission):
    message = "Only the survey office may do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_office(request.user)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, SurveyError):
        body: dict[str, Any] = {"detail": exc.message}
        if isinstance(exc, ValidationFailed) and exc.errors:
            body["errors"] = exc.errors
        return Response(body, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": _first_message(response.data), "errors": response.data}
    elif response is not None and isinstance(response.data, list):
        response.data = {"detail": " ".join(map(str, response.data))}
    return response


def _first_message(errors: dict[str, Any]) -> str:
    for value in errors.values():
        if isinstance(value, list) and value:
            return str(value[0])
        if value:
            return str(value)
    return str(status.HTTP_400_BAD_REQUEST)
