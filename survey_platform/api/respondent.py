"""The respondent form over the API: exchange an answer code (or a station's open link) for
a respondent key, then get the form, save pages and submit once with that key in the
``X-Respondent-Key`` header (or the web form's cookie) — never in a URL, so that no access
log holds it. Everything goes through
fieldwork.respondent — the same validation, merging, locking and quota rules as the
web form; the answers of a page arrive as JSON and are handed to it as form fields.

Submitting is idempotent on ``client_submission_id``: repeating a submit that went
through (e.g. after a lost reply) answers 200 with ``replayed: true`` and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from instruments.schema import Instrument as Schema
from instruments.validation import shown_pages, visible_items
from survey_platform.core import ratelimit
from survey_platform.core.errors import ValidationFailed
from survey_platform.fieldwork import respondent as svc
from survey_platform.fieldwork import respondent_entry as entry
from survey_platform.fieldwork.codes import read_key
from survey_platform.fieldwork.models import (
    Invitation,
    Response,
    ResponseStatus,
    StationQuota,
)
from survey_platform.fieldwork.respondent_views import KEY_COOKIE

from .base import (
    LANGUAGE_CHOICES,
    ErrorOut,
    StrictSerializer,
    documented,
    example,
    no_body,
    query_choice,
)
from .parsers import BODYLESS
from .permissions import AnswerCodeHolder

LANGUAGES = [code for code, _label in LANGUAGE_CHOICES]
KEY_HEADER = "X-Respondent-Key"
KEY = OpenApiParameter(
    KEY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The respondent key from `POST /api/v1/respondent/session/` or the open link",
)
PAGE = OpenApiParameter("page", str, OpenApiParameter.PATH, description="Page code")
REFUSALS = {
    404: "Unknown answer code or key, or a code replaced by a newer one.",
    409: "Already submitted, or the station's quota is full.",
    410: "The wave is not open for answers.",
}


def refusals() -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorOut, description=text) for code, text in REFUSALS.items()}


class PageOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())
    visible = serializers.BooleanField(help_text="Shown with the answers given so far")


class WaveBrief(serializers.Serializer[Any]):
    code = serializers.CharField()
    title = serializers.CharField()
    title_en = serializers.CharField()


class FormOut(serializers.Serializer[Any]):
    wave = WaveBrief()
    station = serializers.CharField()
    language = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=["new", "partial"])
    answers = serializers.DictField(child=serializers.JSONField())
    last_page = serializers.CharField()
    next_page = serializers.CharField(allow_null=True)
    pages = PageOut(many=True)
    definition = serializers.JSONField(help_text="The questionnaire (instrument JSON)")


class SavePageIn(StrictSerializer):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Answer code → value: a text or number, or a list of option codes.",
    )
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    seconds = serializers.IntegerField(min_value=0, max_value=3600, required=False)


class SavedOut(serializers.Serializer[Any]):
    status = serializers.CharField()
    last_page = serializers.CharField()
    next_page = serializers.CharField(allow_null=True, help_text="null after the last page")
    answers = serializers.DictField(child=serializers.JSONField())
    pages = PageOut(many=True)


class SubmitIn(StrictSerializer):
    client_submission_id = serializers.UUIDField(
        help_text="A UUID the client makes once per questionnaire; repeat it on a retry."
    )
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)


class SubmitOut(serializers.Serializer[Any]):
    status = serializers.CharField()
    client_submission_id = serializers.UUIDField()
    replayed = serializers.BooleanField(help_text="True when this repeated an earlier submit")


class OpenKeyOut(serializers.Serializer[Any]):
    key = serializers.CharField(help_text=f"The key to send as {KEY_HEADER} from now on")


class CodeIn(StrictSerializer):
    code = serializers.CharField(
        max_length=64,
        help_text="The answer code: the token of the personal link, or the short code on a "
        "printed slip (with or without the dash)",
    )


def _key(request: Request) -> str | None:
    return request.headers.get(KEY_HEADER) or request.COOKIES.get(KEY_COOKIE)


def _language(session: svc.Session, requested: Any) -> str:
    schema = session.schema
    wanted = requested or translation.get_language() or schema.default_language
    return wanted if wanted in schema.languages else schema.default_language


def _pages(schema: Schema, answers: dict[str, Any]) -> list[dict[str, Any]]:
    shown = set(shown_pages(schema, visible_items(schema, answers)))
    return [
        {
            "code": page.code,
            "items": [item.code for item in page.items],
            "visible": page.code in shown,
        }
        for page in schema.pages()
    ]


def _next_page(pages: list[dict[str, Any]], after: str) -> str | None:
    codes = [p["code"] for p in pages if p["visible"]]
    if after not in codes:
        return codes[0] if codes else None
    index = codes.index(after)
    return codes[index + 1] if index + 1 < len(codes) else None


def as_form_data(answers: dict[str, Any]) -> QueryDict:
    """JSON answers as the posted fields the form service reads (text values)."""
    data = QueryDict(mutable=True)
    for code, value in answers.items():
        if value is None:
            continue
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, bool) or not isinstance(one, str | int | float):
                raise ValidationFailed(
                    {code: [_("Give a text, a number or a list of option codes.")]}
                )
            data.appendlist(code, str(one))
    return data


class _RespondentView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AnswerCodeHolder]


class FormView(_RespondentView):
    @documented(
        summary="Get the form",
        description="The questionnaire of this answer code with the answers saved so far, "
        "the pages (with which are shown given those answers) and the page to continue on.",
        parameters=[KEY, OpenApiParameter("language", str, enum=LANGUAGES)],
        responses={200: FormOut, **refusals()},
        examples=[example("resumed", {
            "wave": {"code": "2026-Q4", "title": "2026年第四季度调查", "title_en": "2026 Q4"},
            "station": "皖东理工学院调查站", "language": "zh-hans", "languages": LANGUAGES,
            "status": "partial", "answers": {"A1": "2", "A2": 1986}, "last_page": "A",
            "next_page": "B", "pages": [{"code": "A", "items": ["A1", "A2"], "visible": True}],
            "definition": {"id": "stws", "version": "3", "items": ["…"]},
        })],
    )  # fmt: skip
    def get(self, request: Request) -> ApiResponse:
        session = svc.session_for_key(_key(request))
        svc.mark_opened(session)
        stored = svc.current_response(session)
        answers = dict(stored.answers) if stored else {}
        pages = _pages(session.schema, answers)
        last = stored.last_page if stored else ""
        wave = session.wave
        return ApiResponse({
            "wave": {"code": wave.code, "title": wave.title, "title_en": wave.title_en},
            "station": session.station.name,
            "language": _language(session, query_choice(request, "language", LANGUAGES)),
            "languages": list(session.schema.languages),
            "status": "partial" if stored else "new",
            "answers": answers,
            "last_page": last,
            "next_page": _next_page(pages, last),
            "pages": pages,
            "definition": wave.instrument_version.definition,
        })  # fmt: skip


class SavePageView(_RespondentView):
    @documented(
        summary="Save a page",
        description="Validates the answers of one page against the questionnaire (types, "
        "options, constraints, skip logic) and stores them; the respondent can stop and "
        "resume with the same code. Problems are 400 with one message per answer code, "
        "and nothing is stored. Answers to questions not on the page are refused.",
        parameters=[KEY, PAGE],
        request=SavePageIn,
        responses={200: SavedOut, **refusals()},
        examples=[
            example("page A", {"answers": {"A1": "1", "A2": 3}, "seconds": 40}, request=True),
            example("saved", {"status": "partial", "last_page": "A", "next_page": "B",
                              "answers": {"A1": "1", "A2": 3},
                              "pages": [{"code": "A", "items": ["A1", "A2"], "visible": True}]}),
        ],
    )  # fmt: skip
    def post(self, request: Request, page: str) -> ApiResponse:
        session = svc.session_for_key(_key(request))
        data = SavePageIn(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        language = _language(session, body.get("language"))
        response, problems = svc.response_save_page(
            session=session,
            page_code=page,
            data=as_form_data(body["answers"]),
            language=language,
            seconds=body.get("seconds", 0),
        )
        if problems or response is None:
            raise ValidationFailed({code: [msg] for code, msg in problems.items()})
        pages = _pages(session.schema, response.answers)
        return ApiResponse({
            "status": response.status,
            "last_page": response.last_page,
            "next_page": _next_page(pages, page),
            "answers": response.answers,
            "pages": pages,
        })  # fmt: skip


class SubmitView(_RespondentView):
    @documented(
        summary="Submit",
        description="Submits the saved answers once: every shown question is checked again "
        "and the response is completed, after which nothing leads from the code to it. "
        "Repeating the submit with the same `client_submission_id` answers 200 with "
        "`replayed: true` and changes nothing; another submit of a used code is 409.",
        parameters=[KEY],
        request=SubmitIn,
        responses={200: SubmitOut, **refusals()},
        examples=[
            example("submit", {"client_submission_id": "6f1c2a8e-1d8b-4c55-9a43-0d2e7c1b9f10"},
                    request=True),
            example("done", {"status": "complete", "replayed": False,
                             "client_submission_id": "6f1c2a8e-1d8b-4c55-9a43-0d2e7c1b9f10"}),
        ],
    )  # fmt: skip
    def post(self, request: Request) -> ApiResponse:
        key = _key(request)
        data = SubmitIn(data=request.data)
        data.is_valid(raise_exception=True)
        sid = data.validated_data["client_submission_id"]
        done = {"status": ResponseStatus.COMPLETE.value, "client_submission_id": str(sid)}
        try:
            session = svc.session_for_key(key)
            language = _language(session, data.validated_data.get("language"))
            svc.response_submit(session=session, submission_id=str(sid), language=language)
        except svc.AlreadySubmitted:
            if not _submitted_before(key, sid):
                raise
            return ApiResponse({**done, "replayed": True})
        return ApiResponse({**done, "replayed": False})


def _submitted_before(key: str | None, submission_id: Any) -> bool:
    """Whether the wave of ``key`` holds a complete response with this submission id."""
    claims = read_key(key)
    if claims is None:
        return False
    if claims.quota_id is not None:
        quotas = StationQuota.objects.filter(pk=claims.quota_id)
        wave_id = quotas.values_list("wave_id", flat=True).first()
    else:
        assert claims.invitation_id is not None  # read_key: a key names a quota or an invitation
        invitations = Invitation.objects.filter(pk=claims.invitation_id)
        wave_id = invitations.values_list("wave_id", flat=True).first()
    return (
        wave_id is not None
        and Response.objects.filter(
            wave_id=wave_id, submission_id=submission_id, status=ResponseStatus.COMPLETE
        ).exists()
    )


class SessionStartView(_RespondentView):
    @documented(
        summary="Start with an answer code",
        description="Exchanges an answer code (the personal link's token, or a printed "
        f"slip's short code) for the respondent key to send as `{KEY_HEADER}`. Typed codes "
        "are rate limited (429). The code itself is never needed again.",
        request=CodeIn,
        responses={201: OpenKeyOut, 429: OpenApiResponse(ErrorOut), **refusals()},
        examples=[example("code", {"code": "ACDEF-GH347"}, request=True),
                  example("key", {"key": "eyJpIjo5MDEsImciOjB9:1w9xYz:Qm…"}, status=201)],
    )  # fmt: skip
    def post(self, request: Request) -> ApiResponse:
        data = CodeIn(data=request.data)
        data.is_valid(raise_exception=True)
        code = data.validated_data["code"].strip()
        address = ratelimit.client_address(request._request)
        if len(code) > 16:
            _session, key = entry.enter_with_token(code)
        else:
            _session, key = entry.enter_with_short_code(code, address)
        return ApiResponse({"key": key}, status=201)


class OpenLinkStartView(_RespondentView):
    parser_classes = BODYLESS

    @documented(
        summary="Start on a station's open link",
        description="For the station's open (poster) link: the server makes a new "
        f"respondent key (send it as `{KEY_HEADER}`; sending a valid one of this link "
        "returns it unchanged). New keys are rate limited per address and per link (429); "
        "only submitted questionnaires count towards the station's quota.",
        parameters=[OpenApiParameter("token", str, OpenApiParameter.PATH,
                                     description="The token of the station's open link")],
        request=None,
        responses={201: OpenKeyOut, 429: OpenApiResponse(ErrorOut), **refusals()},
        examples=[example("key", {"key": "eyJvIjozMSwiciI6Im0xUTB4N1lj…"}, status=201)],
    )  # fmt: skip
    def post(self, request: Request, token: str) -> ApiResponse:
        no_body(request)
        address = ratelimit.client_address(request._request)
        key = entry.open_link_start(token, address, _key(request))
        return ApiResponse({"key": key}, status=201)
