"""The JSON 404 for unknown API paths."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from survey_platform.core.errors import NotFound


def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": str(NotFound.default_message)}, status=404)
