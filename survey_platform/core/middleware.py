"""Refuse NUL characters in URLs, query strings, form fields and JSON bodies.

No answer, code or name legitimately contains U+0000, and PostgreSQL cannot store it in a
text or jsonb column: left through, it turns a bad request into a server error (and SQLite
would store it silently). Uploaded files are not looked at (binary workbooks contain NUL
bytes), only form fields.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

_FORM = "application/x-www-form-urlencoded"


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if any("\x00" in v for values in request.GET.lists() for v in values[1]):
        return True
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    content_type = request.content_type or ""
    try:
        # Both read the whole body once and keep it, so the view can read it again.
        # Multipart HTML forms too (their files are not looked at); the API's uploads are
        # left to its own parsers, which enforce its size limits.
        multipart = content_type == "multipart/form-data" and not request.path.startswith("/api/")
        if content_type == _FORM or multipart:
            return any(
                "\x00" in key or any("\x00" in v for v in values)
                for key, values in request.POST.lists()
            )
        if content_type.endswith("json"):
            body = request.body
            return b"\x00" in body or b"\\u0000" in body
    except SuspiciousOperation:
        return False  # too big or too many fields: the view refuses it with its own answer
    return False


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            message = _("The request contained a NUL character, which is never valid here.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "errors": {}}, status=400)
            if "application/json" in request.headers.get("Accept", ""):
                # The respondent form's background saves (form.js) show ``form_error``.
                return JsonResponse({"errors": {}, "form_error": message}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)
