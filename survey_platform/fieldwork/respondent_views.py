"""The respondent form: server-rendered page by page, usable without JavaScript.

URLs carry the respondent's secret key. Every POST carries a signed ``form_state`` (page,
render time): a tampered or stale form is refused and nothing is stored.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from instruments.form_messages import form_messages
from instruments.rendering import render_pages
from instruments.validation import shown_answers
from survey_platform.core import ratelimit
from survey_platform.core.errors import SurveyError, ValidationFailed

from . import respondent as svc
from .models import Invitation, StationQuota

SIGNING_SALT = "fieldwork.form_state"
OPEN_COOKIE = "sv_open_{token}"
DONE_COOKIE = "sv_done_{wave}"
COOKIE_AGE = 60 * 60 * 24 * 180


def _language(request: HttpRequest, session: svc.Session) -> str:
    language = translation.get_language() or "zh-hans"
    return language if language in session.schema.languages else session.schema.default_language


def _problem_page(request: HttpRequest, exc: SurveyError) -> HttpResponse:
    kind = {
        svc.UnknownCode: "unknown",
        svc.WaveNotOpen: "closed",
        svc.AlreadySubmitted: "done",
        svc.QuotaFull: "full",
    }.get(type(exc), "error")
    return render(
        request,
        "fieldwork/respondent/problem.html",
        {"kind": kind, "message": exc.message},
        status=exc.status_code,
    )


def _visible_pages(session: svc.Session, answers: dict[str, Any], language: str) -> list[Any]:
    """Rendered pages with at least one visible item, hidden items marked."""
    schema = session.schema
    visible, _shown = shown_answers(schema, answers)
    visible_codes = {item.code for item in visible}
    with translation.override(language):
        pages = render_pages(
            schema,
            language,
            seed=_seed(session.key),
            other_label=_("Other (please specify)"),
            answers=answers,
        )
    kept = []
    for page in pages:
        shown_items = [item for item in page.items if item.code in visible_codes]
        if shown_items:
            kept.append((page, {item.code for item in page.items} - visible_codes))
    return kept


def _seed(key: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")


@method_decorator(never_cache, name="dispatch")
class StartView(View):
    """/a/<key>/: check the code, then continue where the respondent left off."""

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        try:
            session = svc.session_for_key(key)
        except SurveyError as exc:
            return _problem_page(request, exc)
        svc.mark_opened(session)
        response = svc.current_response(session)
        answers = response.answers if response else {}
        pages = _visible_pages(session, answers, _language(request, session))
        codes = [page.code for page, _hidden in pages]
        target = codes[0]
        if response and response.last_page in codes:
            index = codes.index(response.last_page)
            target = codes[min(index + 1, len(codes) - 1)]
        return redirect("respondent-page", key=key, page=target)


@method_decorator(never_cache, name="dispatch")
class PageView(View):
    template_name = "fieldwork/respondent/page.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            self.session = svc.session_for_key(kwargs["key"])
        except SurveyError as exc:
            return _problem_page(request, exc)
        self.language = _language(request, self.session)
        return super().dispatch(request, *args, **kwargs)

    def _render(
        self, page_code: str, answers: dict[str, Any], errors: dict[str, str], status: int = 200
    ) -> HttpResponse:
        pages = _visible_pages(self.session, answers, self.language)
        codes = [page.code for page, _hidden in pages]
        if page_code not in codes:
            return redirect("respondent-start", key=self.session.key)
        index = codes.index(page_code)
        page, hidden = pages[index]
        state = signing.dumps({"p": page_code, "t": int(time.time())}, salt=SIGNING_SALT)
        by_item: dict[str, str] = {}
        for code, message in errors.items():
            owner = self.session.schema.owner_of(code)
            target = owner.code if owner is not None else "__all__"
            by_item[target] = f"{by_item[target]} {message}" if target in by_item else message
        context = {
            "session": self.session,
            "schema": self.session.schema,
            "page": page,
            "pages": [page],
            "hidden_codes": hidden,
            "form_error": by_item.pop("__all__", ""),
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
            "languages": self.session.schema.languages,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, key: str, page: str) -> HttpResponse:
        response = svc.current_response(self.session)
        return self._render(page, response.answers if response else {}, {})

    def post(self, request: HttpRequest, key: str, page: str) -> HttpResponse:
        try:
            state = signing.loads(
                request.POST.get("form_state", ""), salt=SIGNING_SALT, max_age=86400
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
        seconds = int(time.time()) - int(state.get("t", time.time()))
        try:
            response, problems = svc.response_save_page(
                session=self.session,
                page_code=page,
                data=request.POST,
                language=self.language,
                seconds=seconds,
            )
        except svc.BadForm as exc:
            return self._refuse(page, " ".join(m for msgs in exc.errors.values() for m in msgs))
        except SurveyError as exc:
            return _problem_page(request, exc)
        if problems and action != "back":
            posted = self._posted_answers(page)
            return self._render(page, posted, problems, status=400)
        answers = response.answers if response else {}
        if action == "submit":
            return self._submit(request, page, answers)
        return self._move(page, answers, -1 if action == "back" else 1)

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
        pages = _visible_pages(self.session, answers, self.language)
        codes = [p.code for p, _hidden in pages]
        index = codes.index(page) if page in codes else 0
        target = codes[max(0, min(index + step, len(codes) - 1))]
        return redirect("respondent-page", key=self.session.key, page=target)

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
            first = next(iter(exc.errors))
            owner = self.session.schema.owner_of(first)
            target = next(
                (p.code for p in self.session.schema.pages() if owner and owner in p.items), page
            )
            return self._render(
                target, answers, {k: v[0] for k, v in exc.errors.items()}, status=400
            )
        except SurveyError as exc:
            return _problem_page(request, exc)
        done = HttpResponseRedirect(reverse("respondent-done"))
        if self.session.via_open_link:
            done.set_cookie(
                DONE_COOKIE.format(wave=self.session.wave.pk),
                "1",
                max_age=COOKIE_AGE,
                httponly=True,
                samesite="Lax",
            )
            done.delete_cookie(OPEN_COOKIE.format(token=self.session.quota.open_token))
        return done

    def _refuse(self, page: str, message: str) -> HttpResponse:
        response = svc.current_response(self.session)
        return self._render(
            page, response.answers if response else {}, {"__all__": message}, status=400
        )


def done_view(request: HttpRequest) -> HttpResponse:
    return render(request, "fieldwork/respondent/done.html")


@method_decorator(never_cache, name="dispatch")
class OpenLinkView(View):
    """/s/<open token>/: the station's poster link. One browser answers once."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        quota = (
            StationQuota.objects.select_related("wave", "station")
            .filter(open_token=token, open_link_enabled=True)
            .first()
        )
        if quota is None:
            return _problem_page(request, svc.UnknownCode())
        if request.COOKIES.get(DONE_COOKIE.format(wave=quota.wave_id)):
            return _problem_page(request, svc.AlreadySubmitted())
        try:
            svc.check_open(quota.wave)
        except SurveyError as exc:
            return _problem_page(request, exc)
        if quota.completes >= quota.target:
            return _problem_page(request, svc.QuotaFull())
        cookie = OPEN_COOKIE.format(token=token)
        key = request.COOKIES.get(cookie) or svc.new_open_key(quota)
        if not key.startswith(token + "."):
            key = svc.new_open_key(quota)
        response = redirect("respondent-start", key=key)
        response.set_cookie(cookie, key, max_age=COOKIE_AGE, httponly=True, samesite="Lax")
        return response


class CodeEntryView(View):
    """/code/: type the short answer code from a printed slip. Rate limited."""

    template_name = "fieldwork/respondent/code.html"
    PER_ADDRESS = (20, 600)  # attempts per 10 minutes from one address
    PER_CODE = (5, 600)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name)

    def post(self, request: HttpRequest) -> HttpResponse:
        raw = request.POST.get("code", "")
        code = "".join(ch for ch in raw.upper() if ch.isalnum())
        address = ratelimit.client_address(request)
        limited = not ratelimit.allow("code-ip", address, *self.PER_ADDRESS) or not ratelimit.allow(
            "code", code or "-", *self.PER_CODE
        )
        if limited:
            message = _("Too many attempts. Please wait ten minutes and try again.")
            return render(request, self.template_name, {"error": message, "code": raw}, status=429)
        invitation = (
            Invitation.objects.filter(short_code=code).only("token").first() if code else None
        )
        if invitation is None:
            message = _("This answer code is not valid. Please check the code on your slip.")
            return render(request, self.template_name, {"error": message, "code": raw}, status=404)
        return redirect("respondent-start", key=invitation.token)
