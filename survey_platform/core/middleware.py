"""Refuse text that is never valid in URLs, query strings, form fields and JSON bodies.

What is refused (:mod:`instruments.text`): NUL, lone UTF-16 surrogates, Unicode
non-characters, and a JSON body that is not UTF-8 at all. No answer, code or name
legitimately contains them; PostgreSQL cannot store a NUL or a lone surrogate (a server
error) and SQLite stores them silently, after which every page, export and briefing that
prints the text fails. Refusing them here, before any view runs, keeps them out of every
form and API at once; the answer validation (instruments.validation) and the API's JSON
parser refuse them again for callers that do not pass through here.

Uploaded files are not looked at (binary workbooks contain NUL bytes), only form fields;
their text cells are checked where they are read. Placed after the locale middleware, so
the refusal is in the request's language.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from instruments.text import TextProblem, text_problem, value_problem

_FORM = "application/x-www-form-urlencoded"
#: A problem of the body itself rather than of a character in it.
NOT_UTF8 = "not_utf8"
Problem = TextProblem | str


def refusal_message(problem: Problem) -> str:
    """The refusal of ``problem`` in the active language."""
    if problem == "nul":
        return _("The request contained a NUL character, which is never valid here.")
    if problem == "surrogate":
        return _(
            "The request contained a lone UTF-16 surrogate (half of a character, such as "
            "half of an emoji), which is never valid text."
        )
    if problem == "noncharacter":
        return _(
            "The request contained a Unicode non-character (such as U+FFFF), which is "
            "never valid text."
        )
    return _("The request body is not valid UTF-8 text.")


def _fields_problem(pairs: list[tuple[str, list[str]]]) -> Problem | None:
    for key, values in pairs:
        for text in (key, *values):
            problem = text_problem(text)
            if problem is not None:
                return problem
    return None


def _json_problem(body: bytes) -> Problem | None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return NOT_UTF8
    problem = text_problem(text)  # raw NULs and non-characters
    if problem is not None or "\\u" not in text:
        return problem
    # Escapes (``\\ud800``, ``\\u0000``, ``\\uffff``) only show once decoded; a valid pair
    # of surrogate escapes is an emoji and decodes to one character, which is fine.
    try:
        return value_problem(json.loads(text))
    except ValueError:
        return None  # malformed JSON: the view refuses it with its own answer


def request_problem(request: HttpRequest) -> Problem | None:
    """Why ``request`` is refused, or None."""
    problem = text_problem(request.path) or _fields_problem(list(request.GET.lists()))
    if problem is not None or request.method not in ("POST", "PUT", "PATCH"):
        return problem
    content_type = request.content_type or ""
    try:
        # Both read the whole body once and keep it, so the view can read it again.
        # Multipart HTML forms too (their files are not looked at); the API's uploads are
        # left to its own parsers, which enforce its size limits.
        multipart = content_type == "multipart/form-data" and not request.path.startswith("/api/")
        if content_type == _FORM or multipart:
            return _fields_problem(list(request.POST.lists()))
        if content_type.endswith("json"):
            return _json_problem(request.body)
    except SuspiciousOperation:
        return None  # too big or too many fields: the view refuses it with its own answer
    return None


class RejectInvalidTextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = request_problem(request)
        if problem is None:
            return self.get_response(request)
        message = refusal_message(problem)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "errors": {}}, status=400)
        if "application/json" in request.headers.get("Accept", ""):
            # The respondent form's background saves (form.js) show ``form_error``.
            return JsonResponse({"errors": {}, "form_error": message}, status=400)
        return HttpResponseBadRequest(message)


#: The name the settings know it by (it refused NUL characters only, at first).
RejectNulMiddleware = RejectInvalidTextMiddleware
