"""The respondent form: server-rendered, usable without JavaScript, cheap with it.

The respondent comes in through /a/<link token>/, /code/ or a station's open link /s/<..>/
(respondent_entry.py); each answers with a signed key in the ``sv_respondent`` cookie and a
redirect to /answer/, so the code is in one URL once and never again (not in the pages'
addresses, their Referer headers or the access log's later lines). A page GET renders the
whole questionnaire once: the requested page is shown, every other page is hidden and
disabled, so without JavaScript only the current page is seen and posted (POST, 302, GET,
as always). form.js pages through the rendered form instead and posts each page to the same URL with
``Accept: application/json``; those replies are small JSON bodies and render nothing.

Every POST carries a signed ``form_state`` (page, render time): a tampered or stale form
is refused and nothing is stored. Each rendered page carries its own signed state.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from instruments.form_messages import form_messages
from instruments.rendering import ItemView, render_pages
from instruments.schema import Instrument as Schema
from instruments.validation import shown_pages, visible_items
from survey_platform.core import ratelimit
from survey_platform.core.errors import SurveyError, ValidationFailed

from . import respondent as svc
from . import respondent_entry as entry
from .codes import KEY_MAX_AGE

SIGNING_SALT = "fieldwork.form_state"
STATE_MAX_AGE = 86400
#: The respondent's signed key (codes.py). HttpOnly: no script needs it.
KEY_COOKIE = "sv_respondent"
DONE_COOKIE = "sv_done_{wave}"
COOKIE_AGE = KEY_MAX_AGE
#: Seconds counted for one page at most (the service caps the same way).
MAX_PAGE_SECONDS = 3600
#: The form field in which form.js sends the seconds spent on the page (JSON path only).
ELAPSED_FIELD = "elapsed"


def _language(request: HttpRequest, session: svc.Session) -> str:
    language = translation.get_language() or "zh-hans"
    return language if language in session.schema.languages else session.schema.default_language


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _problem_kind(exc: SurveyError) -> str:
    return {
        svc.UnknownCode: "unknown",
        svc.CodeReplaced: "replaced",
        entry.TooManyAttempts: "limited",
        entry.TooManyStarts: "limited",
        svc.WaveNotOpen: "closed",
        svc.AlreadySubmitted: "done",
        svc.QuotaFull: "full",
    }.get(type(exc), "error")


def _problem_page(request: HttpRequest, exc: SurveyError) -> HttpResponse:
    if _wants_json(request) and request.method == "POST":
        return JsonResponse(
            {"problem": _problem_kind(exc), "message": exc.message}, status=exc.status_code
        )
    return render(
        request,
        "fieldwork/respondent/problem.html",
        {"kind": _problem_kind(exc), "message": exc.message},
        status=exc.status_code,
    )


def _page_plan(schema: Schema, answers: dict[str, Any]) -> tuple[list[str], set[str]]:
    """Codes of the pages with at least one visible item, in order, and the visible items."""
    visible = visible_items(schema, answers)
    return shown_pages(schema, visible), {item.code for item in visible}


def _secure(request: HttpRequest) -> bool:
    return request.is_secure() or bool(settings.SESSION_COOKIE_SECURE)


def _with_key(request: HttpRequest, response: HttpResponse, key: str) -> HttpResponse:
    response.set_cookie(
        KEY_COOKIE, key, max_age=COOKIE_AGE, httponly=True, samesite="Lax", secure=_secure(request)
    )
    return response


def _entered(request: HttpRequest, session: svc.Session, key: str) -> HttpResponse:
    """After a code or an open link: the key goes into the cookie, the browser straight to
    the page to continue on (one redirect: on a slow phone link each costs a round trip)."""
    return _with_key(request, redirect("respondent-page", page=_resume_page(session)), key)


def _resume_page(session: svc.Session) -> str:
    """The page after the last one saved (the first page for a new respondent)."""
    response = svc.current_response(session)
    codes, _visible = _page_plan(session.schema, response.answers if response else {})
    target = codes[0]
    if response and response.last_page in codes:
        index = codes.index(response.last_page)
        target = codes[min(index + 1, len(codes) - 1)]
    return target


def _seed(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")


def _sign_state(page_code: str, now: int) -> str:
    return signing.dumps({"p": page_code, "t": now}, salt=SIGNING_SALT)


def _by_item(schema: Schema, errors: dict[str, str]) -> tuple[dict[str, str], str]:
    """Messages grouped by the item that owns each answer code, and the form-wide one."""
    by_item: dict[str, str] = {}
    for code, message in errors.items():
        owner = schema.owner_of(code)
        target = owner.code if owner is not None else "__all__"
        by_item[target] = f"{by_item[target]} {message}" if target in by_item else message
    return by_item, by_item.pop("__all__", "")


@dataclass(frozen=True)
class FormPage:
    """One rendered page of the respondent form, as pages.html reads it."""

    code: str
    number: int
    title: str
    hint: str
    relevance: str
    items: list[ItemView]
    form_state: str
    current: bool
    shown: bool


@method_decorator(never_cache, name="dispatch")
class EntryView(View):
    """/a/<token>/: the personal link. Checks the code, then leaves it out of every URL."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            session, key = entry.enter_with_token(token)
        except SurveyError as exc:
            return _problem_page(request, exc)
        return _entered(request, session, key)


@method_decorator(never_cache, name="dispatch")
class StartView(View):
    """/answer/: continue where the respondent left off."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            session = svc.session_for_key(request.COOKIES.get(KEY_COOKIE))
        except SurveyError as exc:
            return _problem_page(request, exc)
        return redirect("respondent-page", page=_resume_page(session))


@method_decorator(never_cache, name="dispatch")
class PageView(View):
    """GET renders the form; POST saves one page (HTML: 302 or 400 page; JSON: see below).

    JSON replies (``Accept: application/json``): ``{"page", "url"}`` after a save,
    ``{"done"}`` after the submit, 400 ``{"errors", "form_error"[, "page"]}`` when nothing
    was stored, and ``{"problem", "message"}`` with the refusal's status code.
    """

    template_name = "fieldwork/respondent/page.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            self.session = svc.session_for_key(request.COOKIES.get(KEY_COOKIE))
        except SurveyError as exc:
            return _problem_page(request, exc)
        self.language = _language(request, self.session)
        self.as_json = request.method == "POST" and _wants_json(request)
        return super().dispatch(request, *args, **kwargs)

    # --- the page -------------------------------------------------------------------

    def _render(
        self, page_code: str, answers: dict[str, Any], errors: dict[str, str], status: int = 200
    ) -> HttpResponse:
        schema = self.session.schema
        codes, visible = _page_plan(schema, answers)
        if page_code not in codes:
            return redirect("respondent-resume")
        index = codes.index(page_code)
        pages = self._form_pages(page_code, answers, codes)
        by_item, form_error = _by_item(schema, errors)
        state = next(p.form_state for p in pages if p.current)
        context = {
            "session": self.session,
            "schema": schema,
            "page": next(p for p in pages if p.current),
            "pages": pages,
            "hidden_codes": {item.code for item in schema.items} - visible,
            "form_error": form_error,
            "errors": by_item,
            "form_state": state,
            "submission_id": uuid.uuid4(),
            "is_first": index == 0,
            "is_last": index == len(codes) - 1,
            "progress": round(100 * index / max(len(codes), 1)),
            "page_number": index + 1,
            "page_count": len(codes),
            "form_language": self.language,
            "form_messages": form_messages(self.language),
            "languages": schema.languages,
        }
        return render(self.request, self.template_name, context, status=status)

    def _form_pages(
        self, current: str, answers: dict[str, Any], codes: list[str]
    ) -> list[FormPage]:
        """Every page of the questionnaire, rendered once, each with its own form state."""
        with translation.override(self.language):
            views = render_pages(
                self.session.schema,
                self.language,
                seed=_seed(self.session.key),
                other_label=_("Other (please specify)"),
                answers=answers,
            )
        now = int(time.time())
        return [
            FormPage(
                code=view.code,
                number=view.number,
                title=view.title,
                hint=view.hint,
                relevance=view.relevance,
                items=view.items,
                form_state=_sign_state(view.code, now),
                current=view.code == current,
                shown=view.code in codes,
            )
            for view in views
        ]

    def get(self, request: HttpRequest, page: str) -> HttpResponse:
        response = svc.current_response(self.session)
        return self._render(page, response.answers if response else {}, {})

    # --- saving ---------------------------------------------------------------------

    def post(self, request: HttpRequest, page: str) -> HttpResponse:
        try:
            state = signing.loads(
                request.POST.get("form_state", ""), salt=SIGNING_SALT, max_age=STATE_MAX_AGE
            )
            if state.get("p") != page:
                raise signing.BadSignature("page mismatch")
        except signing.BadSignature:
            return self._refuse(
                page, _("The form was changed or has expired; please answer this page again.")
            )
        action = request.POST.get("action", "next")
        if action not in {"next", "back", "submit"}:
            return self._refuse(page, _("Unknown action."))
        data, seconds = self._fields_and_seconds(state)
        try:
            response, problems = svc.response_save_page(
                session=self.session,
                page_code=page,
                data=data,
                language=self.language,
                seconds=seconds,
            )
        except svc.BadForm as exc:
            return self._refuse(page, " ".join(m for msgs in exc.errors.values() for m in msgs))
        except SurveyError as exc:
            return _problem_page(request, exc)
        if problems and action != "back":
            if self.as_json:
                return self._json_errors(problems)
            return self._render(page, self._posted_answers(page), problems, status=400)
        answers = response.answers if response else {}
        if action == "submit":
            return self._submit(request, page, answers)
        return self._move(page, answers, -1 if action == "back" else 1)

    def _fields_and_seconds(self, state: dict[str, Any]) -> tuple[Any, int]:
        """The posted fields for the service, and the seconds to count for this page.

        The seconds are the time since the page was rendered; form.js, which shows many
        pages from one render, also sends the seconds it showed this page (``elapsed``):
        the smaller of the two counts. The no-JavaScript form posts exactly what it did.
        """
        since_render = int(time.time()) - int(state.get("t", time.time()))
        if not self.as_json or ELAPSED_FIELD not in self.request.POST:
            return self.request.POST, since_render
        data = self.request.POST.copy()
        raw = data.pop(ELAPSED_FIELD)[-1]
        try:
            elapsed = int(raw)
        except ValueError:
            return data, since_render
        if elapsed < 0:
            return data, since_render
        return data, min(elapsed, since_render, MAX_PAGE_SECONDS)

    def _posted_answers(self, page: str) -> dict[str, Any]:
        """Stored answers overlaid with what was just posted, to show it back with errors."""
        response = svc.current_response(self.session)
        stored = dict(response.answers) if response else {}
        try:
            posted = svc.read_page(self.session.schema, page, self.request.POST)
        except svc.BadForm:
            return stored
        stored.update({k: v for k, v in posted.items() if v is not None})
        return stored

    def _move(self, page: str, answers: dict[str, Any], step: int) -> HttpResponse:
        codes, _visible = _page_plan(self.session.schema, answers)
        index = codes.index(page) if page in codes else 0
        target = codes[max(0, min(index + step, len(codes) - 1))]
        if self.as_json:
            url = reverse("respondent-page", kwargs={"page": target})
            return JsonResponse({"page": target, "url": url})
        return redirect("respondent-page", page=target)

    def _submit(self, request: HttpRequest, page: str, answers: dict[str, Any]) -> HttpResponse:
        try:
            svc.response_submit(
                session=self.session,
                submission_id=request.POST.get("submission_id", ""),
                language=self.language,
            )
        except svc.BadForm as exc:
            return self._refuse(page, " ".join(m for msgs in exc.errors.values() for m in msgs))
        except ValidationFailed as exc:
            errors = {k: v[0] for k, v in exc.errors.items()}
            target = self._page_of(next(iter(exc.errors)), page)
            if self.as_json:
                return self._json_errors(errors, page=target)
            return self._render(target, answers, errors, status=400)
        except SurveyError as exc:
            return _problem_page(request, exc)
        done_url = reverse("respondent-done")
        done: HttpResponse = (
            JsonResponse({"done": done_url}) if self.as_json else HttpResponseRedirect(done_url)
        )
        if self.session.via_open_link:
            done.set_cookie(
                DONE_COOKIE.format(wave=self.session.wave.pk),
                "1",
                max_age=COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=_secure(request),
            )
        done.delete_cookie(KEY_COOKIE, samesite="Lax")
        return done

    def _page_of(self, answer_code: str, fallback: str) -> str:
        """The page holding the item that owns ``answer_code``."""
        schema = self.session.schema
        owner = schema.owner_of(answer_code)
        return next((p.code for p in schema.pages() if owner and owner in p.items), fallback)

    def _refuse(self, page: str, message: str) -> HttpResponse:
        if self.as_json:
            return self._json_errors({"__all__": message})
        response = svc.current_response(self.session)
        return self._render(
            page, response.answers if response else {}, {"__all__": message}, status=400
        )

    def _json_errors(self, errors: dict[str, str], page: str | None = None) -> JsonResponse:
        by_item, form_error = _by_item(self.session.schema, errors)
        body: dict[str, Any] = {"errors": by_item, "form_error": form_error}
        if page is not None:
            body["page"] = page
        return JsonResponse(body, status=400)


def done_view(request: HttpRequest) -> HttpResponse:
    return render(request, "fieldwork/respondent/done.html")


@method_decorator(never_cache, name="dispatch")
class OpenLinkView(View):
    """/s/<open token>/: the station's poster link. One browser answers once."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            quota = entry.open_link_quota(token)
            if request.COOKIES.get(DONE_COOKIE.format(wave=quota.wave_id)):
                raise svc.AlreadySubmitted()
            key = entry.open_link_start(
                token, ratelimit.client_address(request), request.COOKIES.get(KEY_COOKIE)
            )
            session = svc.session_for_key(key)
        except SurveyError as exc:
            return _problem_page(request, exc)
        return _entered(request, session, key)


@method_decorator(never_cache, name="dispatch")
class CodeEntryView(View):
    """/code/: type the short answer code from a printed slip. Rate limited."""

    template_name = "fieldwork/respondent/code.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name)

    def post(self, request: HttpRequest) -> HttpResponse:
        raw = request.POST.get("code", "")
        try:
            session, key = entry.enter_with_short_code(raw, ratelimit.client_address(request))
        except svc.UnknownCode:
            message = _("This answer code is not valid. Please check the code on your slip.")
            return render(request, self.template_name, {"error": message, "code": raw}, status=404)
        except SurveyError as exc:
            if exc.status_code == 429:
                context = {"error": exc.message, "code": raw}
                return render(request, self.template_name, context, status=429)
            return _problem_page(request, exc)
        return _entered(request, session, key)
