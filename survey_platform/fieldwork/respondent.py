"""The respondent's side: who is answering, saving a page, submitting once.

A respondent is known by a *key* the server signed when they came in with an answer code
or through the station's open link (codes.py): it travels in a cookie or a header, never
in a URL. The partial response is found by ``resume_hash`` of the key's identity; see
models.py for why nothing else links a response to an invitation.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from instruments.schema import Instrument as Schema
from instruments.schema import ItemType
from instruments.selectors import schema_of
from instruments.text import without_invalid_text
from instruments.validation import shown_answers, validate_answers
from survey_platform.core.errors import Conflict, NotFound, ValidationFailed
from survey_platform.network.models import Station

from .codes import KeyClaims, read_key
from .models import (
    Invitation,
    InvitationState,
    Response,
    ResponseStatus,
    StationQuota,
    Wave,
    WaveStatus,
    field_day_start,
    resume_hash,
)
from .releases import release_if_due


class UnknownCode(NotFound):
    default_message = _("This answer code is not valid. Please check the link or the code.")


class CodeReplaced(NotFound):
    default_message = _(
        "This answer code has been replaced by a new one. Please use the code or link your "
        "station gave you most recently."
    )


class WaveNotOpen(Conflict):
    status_code = 410
    default_message = _("This survey is not open for answers at the moment.")


class AlreadySubmitted(Conflict):
    default_message = _("These answers have already been submitted. Thank you!")


class QuotaFull(Conflict):
    default_message = _("This station has already received all the questionnaires it needs.")


class BadForm(ValidationFailed):
    """The posted form was not produced by our page (tampered or stale)."""


class Session:
    """Who is answering: the respondent's identity (``KeyClaims.identity``, what the
    partial response is keyed by), its wave and station, and the invitation (None on an
    open link). The station's quota is fetched only when asked for (a submit, the
    first open-link visit): a page save does not need it."""

    def __init__(
        self,
        key: str,
        wave: Wave,
        station: Station,
        invitation: Invitation | None,
        quota: StationQuota | None = None,
    ) -> None:
        self.key = key
        self.wave = wave
        self.station = station
        self.invitation = invitation
        self._quota = quota

    @property
    def via_open_link(self) -> bool:
        return self.invitation is None

    @property
    def schema(self) -> Schema:
        return schema_of(self.wave.instrument_version)

    @property
    def quota(self) -> StationQuota:
        if self._quota is None:
            quota = _first(
                StationQuota.objects.only(*_QUOTA).filter(
                    wave_id=self.wave.pk, station_id=self.station.pk
                )
            )
            if quota is None:
                raise UnknownCode()
            quota.wave, quota.station = self.wave, self.station
            self._quota = quota
        return self._quota


def check_open(wave: Wave) -> None:
    now = timezone.now()
    if wave.status != WaveStatus.OPEN or not (wave.opens_at <= now < wave.closes_at):
        raise WaveNotOpen()


#: The columns a respondent's request reads. The questionnaire document is parsed once
#: per process (instruments.selectors.schema_of, keyed by version and checksum), so the
#: lookups never fetch it: decoding 50 KB of JSON on every page save was most of a save's
#: cost, and building and converting the other columns of four tables was much of the
#: rest. Anything else is still there when asked for (one more query).
_WAVE = [
    "wave__id",
    "wave__code",
    "wave__title",
    "wave__title_en",
    "wave__status",
    "wave__opens_at",
    "wave__closes_at",
    "wave__instrument_version__id",
    "wave__instrument_version__checksum",
    "wave__instrument_version__updated_at",
    "station__id",
    "station__name",
]
_RELATED = ("wave__instrument_version", "station")
_QUOTA = ("id", "open_token", "target", "completes", "wave_id", "station_id")


def session_for_key(key: str | None) -> Session:
    """Who is answering under the signed ``key``; raises UnknownCode / CodeReplaced /
    WaveNotOpen / AlreadySubmitted.

    One indexed lookup without ordering: the key's invitation (or open-link quota) with
    its wave, version and station."""
    claims = read_key(key)
    if claims is None:
        raise UnknownCode()
    if claims.quota_id is not None:
        quota = _first(
            StationQuota.objects.select_related(*_RELATED)
            .only(*_QUOTA, *_WAVE)
            .filter(pk=claims.quota_id, open_link_enabled=True)
        )
        if quota is None:
            raise UnknownCode()
        check_open(quota.wave)
        return Session(claims.identity, quota.wave, quota.station, None, quota)
    assert claims.invitation_id is not None  # read_key: a key names a quota or an invitation
    return session_for_invitation(
        _first(
            Invitation.objects.select_related(*_RELATED)
            .only("id", "state", "code_generation", "wave_id", "station_id", *_WAVE)
            .filter(pk=claims.invitation_id)
        ),
        claims,
    )


def session_for_invitation(invitation: Invitation | None, claims: KeyClaims | None) -> Session:
    """The session of an invitation found by its code (``claims`` None) or by a key."""
    if invitation is None or invitation.state == InvitationState.EXPIRED:
        raise UnknownCode()
    if claims is not None and claims.generation != invitation.code_generation:
        raise CodeReplaced()
    check_open(invitation.wave)
    if invitation.state == InvitationState.COMPLETED:
        raise AlreadySubmitted()
    identity = KeyClaims(invitation_id=invitation.pk).identity
    return Session(identity, invitation.wave, invitation.station, invitation)


def _first(queryset: QuerySet[Any]) -> Any:
    """The one row of a unique lookup, without the model's default ORDER BY (joins)."""
    found = list(queryset.order_by()[:1])
    return found[0] if found else None


def current_response(session: Session) -> Response | None:
    response = _first(Response.objects.filter(resume_hash=resume_hash(session.key)))
    if response is not None:
        # Stored text that is not valid (saved before it was refused) cannot be shown or
        # sent back: it is left out, and the respondent answers that question again.
        response.answers = without_invalid_text(response.answers)
    return response


def mark_opened(session: Session) -> None:
    if session.invitation is not None:
        Invitation.objects.filter(pk=session.invitation.pk, state=InvitationState.SENT).update(
            state=InvitationState.OPENED
        )


# --- reading a posted page -------------------------------------------------------------

#: Form fields that are not answers.
CONTROL_FIELDS = frozenset({"csrfmiddlewaretoken", "action", "form_state", "submission_id"})


def page_answer_codes(schema: Schema, page_code: str) -> list[str]:
    page = next((p for p in schema.pages() if p.code == page_code), None)
    if page is None:
        raise BadForm({"__all__": [gettext("This page does not exist in the questionnaire.")]})
    return [code for item in page.items for code in item.answer_codes]


def read_page(schema: Schema, page_code: str, data: Any) -> dict[str, Any]:
    """The answers posted for one page. Any other field is refused as tampering."""
    codes = page_answer_codes(schema, page_code)
    foreign = [key for key in data if key not in CONTROL_FIELDS and key not in codes]
    if foreign:
        raise BadForm(
            {
                "__all__": [
                    gettext("The form contained answers to questions that are not on this page.")
                ]
            }
        )
    answers: dict[str, Any] = {}
    for code in codes:
        item = schema.owner_of(code)
        if item is None:
            continue
        many = item.type in (ItemType.MULTIPLE, ItemType.RANKING) and code == item.code
        values = (
            [v for v in data.getlist(code) if v.strip() != ""] if hasattr(data, "getlist") else []
        )
        if many:
            answers[code] = values or None
        else:
            answers[code] = _scalar(item.type if code == item.code else None, values)
    return answers


def _scalar(kind: ItemType | None, values: list[str]) -> Any:
    if not values:
        return None
    if len(values) > 1:
        raise BadForm({"__all__": [gettext("A question that takes one answer received several.")]})
    text = values[0].strip() if kind is not ItemType.TEXT else values[0]
    if kind in (ItemType.INTEGER, ItemType.YEAR):
        try:
            return int(text)
        except ValueError:
            return text  # the validator explains "enter a whole number"
    if kind is ItemType.DECIMAL:
        try:
            return float(text)
        except ValueError:
            return text
    return text


# --- writing ---------------------------------------------------------------------------


def _merge(
    schema: Schema, stored: Mapping[str, Any], page_code: str, page: Mapping[str, Any]
) -> dict[str, Any]:
    codes = set(page_answer_codes(schema, page_code))
    merged = {k: v for k, v in without_invalid_text(stored).items() if k not in codes}
    merged.update({k: v for k, v in page.items() if v is not None})
    return merged


#: Columns a page save reads (and the views read from what it returns).
_SAVE_FIELDS = ("id", "answers", "page_seconds", "revision", "status", "last_page", "language")
#: Optimistic attempts before a page save takes the row lock instead (many tabs of one
#: respondent saving at the same instant; the locked write always gets through).
OPTIMISTIC_ATTEMPTS = 3


def response_save_page(
    *,
    session: Session,
    page_code: str,
    data: Any,
    language: str,
    seconds: int = 0,
) -> tuple[Response | None, dict[str, str]]:
    """Validate and store one page. Returns the response and the problems (translated);
    when there are problems nothing is stored (and the response returned is the stored
    one, or None before the first save).

    Optimistic, without a transaction: read the response, merge the page into its
    answers, validate, then write only if nobody wrote in between (the revision read is
    still there and the response is still partial). Otherwise read again and merge
    again: another tab of the same respondent may have saved another page meanwhile, and
    its answers must be kept. Two statements per save instead of a locked transaction's
    four round trips (BEGIN, SELECT ... FOR UPDATE, UPDATE, COMMIT). After
    OPTIMISTIC_ATTEMPTS lost races the save reads under the row lock, so it cannot lose
    again."""
    schema = session.schema
    page_answers = read_page(schema, page_code, data)
    key_hash = resume_hash(session.key)
    for attempt in range(OPTIMISTIC_ATTEMPTS + 1):
        locked = attempt == OPTIMISTIC_ATTEMPTS
        with transaction.atomic() if locked else nullcontext():
            rows = Response.objects.only(*_SAVE_FIELDS).filter(resume_hash=key_hash)
            stored = _first(rows.select_for_update() if locked else rows)
            if stored is not None and stored.is_complete:
                raise AlreadySubmitted()
            merged = _merge(schema, stored.answers if stored else {}, page_code, page_answers)
            problems = validate_answers(schema, merged, page=page_code, language=language)
            if problems:
                messages = {code: message.render(gettext) for code, message in problems.items()}
                return stored, messages
            answers = shown_answers(schema, merged)[1]
            spent = dict(stored.page_seconds) if stored else {}
            spent[page_code] = int(spent.get(page_code, 0)) + max(0, min(seconds, 3600))
            if stored is None:
                written = _insert_first(session, key_hash, answers, spent, page_code, language)
            else:
                written = _update_if_unchanged(stored, answers, spent, page_code, language)
        if written is not None:
            _mark_started(session)
            return written, {}
    raise AssertionError("unreachable: the locked attempt always writes")  # pragma: no cover


def _update_if_unchanged(
    stored: Response, answers: dict[str, Any], spent: dict[str, int], page: str, language: str
) -> Response | None:
    """Write the page over the revision that was read; None when someone wrote first."""
    changes = {"answers": answers, "page_seconds": spent, "last_page": page, "language": language}
    written = Response.objects.filter(
        pk=stored.pk, revision=stored.revision, status=ResponseStatus.PARTIAL
    ).update(**changes, revision=stored.revision + 1, updated_at=field_day_start())
    if not written:
        return None
    for name, value in changes.items():
        setattr(stored, name, value)
    stored.revision += 1
    return stored


def _insert_first(
    session: Session,
    key_hash: str,
    answers: dict[str, Any],
    spent: dict[str, int],
    page: str,
    language: str,
) -> Response | None:
    """The session's first save; None when a concurrent first save created the row."""
    try:
        with transaction.atomic():
            return Response.objects.create(
                wave=session.wave,
                station_id=session.station.pk,
                instrument_version_id=session.wave.instrument_version_id,
                via_open_link=session.via_open_link,
                language=language,
                resume_hash=key_hash,
                answers=answers,
                page_seconds=spent,
                last_page=page,
                revision=1,
            )
    except IntegrityError:
        return None  # the other save won; read its row and merge into it


def _mark_started(session: Session) -> None:
    invitation = session.invitation
    if invitation is None or invitation.state not in _NOT_STARTED:
        return  # already started: no write on every page
    Invitation.objects.filter(pk=invitation.pk, state__in=_NOT_STARTED).update(
        state=InvitationState.STARTED
    )


_NOT_STARTED = (InvitationState.SENT, InvitationState.OPENED)


def response_submit(*, session: Session, submission_id: str, language: str) -> Response:
    """Submit exactly once. A repeated submit (same id, or the same code) changes nothing."""
    try:
        sid = uuid.UUID(submission_id)
    except (TypeError, ValueError) as exc:
        raise BadForm(
            {"__all__": [gettext("The form was changed; please reload the page.")]}
        ) from exc
    schema = session.schema
    with transaction.atomic():
        if Response.objects.filter(submission_id=sid, status=ResponseStatus.COMPLETE).exists():
            raise AlreadySubmitted()
        response = _first(
            Response.objects.select_for_update().filter(resume_hash=resume_hash(session.key))
        )
        if response is None:
            raise ValidationFailed({"__all__": [gettext("Please answer the questionnaire first.")]})
        if response.is_complete:
            raise AlreadySubmitted()
        problems = validate_answers(schema, response.answers, language=language)
        if problems:
            raise ValidationFailed(
                {code: [message.render(gettext)] for code, message in problems.items()}
            )
        _take_quota_place(session)
        day = field_day_start()
        response.status = ResponseStatus.COMPLETE
        response.submitted_at = day
        response.updated_at = day
        response.duration_seconds = _duration(response)
        response.submission_id = sid
        response.resume_hash = None  # from now on nothing leads back to the code
        response.language = language
        response.save()
        if session.invitation is not None:
            Invitation.objects.filter(pk=session.invitation.pk).update(
                state=InvitationState.COMPLETED
            )
        # Under the quota's row lock taken by _take_quota_place (see releases.py).
        release_if_due(session.wave.pk, session.station.pk)
    return response


def _take_quota_place(session: Session) -> None:
    quotas = StationQuota.objects.filter(pk=session.quota.pk)
    if session.via_open_link:
        # Conditional UPDATE: atomic in every database, so concurrent open-link submits
        # cannot push completes past the target.
        if not quotas.filter(completes__lt=F("target")).update(completes=F("completes") + 1):
            raise QuotaFull()
    else:
        quotas.update(completes=F("completes") + 1)


def _duration(response: Response) -> int | None:
    """The seconds spent on the pages (each page counted at most an hour); None when no
    page was timed. Never a difference of clock times: the response keeps none."""
    timed = sum(int(v) for v in response.page_seconds.values())
    return timed if timed > 0 else None
