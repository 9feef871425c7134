"""Answer codes are credentials that nobody can recover, and the respondent's session key.

**Codes.** Every invitation has two codes that open the same questionnaire: a 128-bit link
token (in the e-mailed link and on the slip's QR code) and a 10-letter short code typed at
/code/. The database keeps only ``code_digest`` of each, an HMAC-SHA256 under a key of its
own (``settings.ANSWER_CODE_KEY``, not the Django secret), the way passwords are kept: a
copy of the database alone does not let anyone answer for a person, and no page, API,
export, admin screen or log can show a working code, because there is none to show. A
code exists in plaintext only in the memory of the request or task that issues it, which
puts it straight on the printed slips, into the issuing API reply, or into the e-mail.

**Reissue.** A lost slip, a reprint, a new e-mail or a reminder issues a *new* code that
replaces the old one (``codes_issue_for``). Reminders go to people who may be half-way
through the questionnaire, so they keep the respondent's open sessions; a reissue by the
station (``revoke_sessions=True``) also ends every session opened with an older code, in
case the old slip is in the wrong hands. Either way the partial answers are kept: they
hang on the invitation (``respondent_identity``), not on a code.

**Session key.** After the first request, the respondent is known by a key in a cookie
(or, for API clients, a header) instead of the URL, so that the code never reaches an
access log or a Referer header again. The key is signed by the server (the client cannot
make one up, nor pick an open-link key of its choice) and names the invitation and the
code generation it was opened under, or the open link and a random part.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F

from .models import SHORT_CODE_ALPHABET, Invitation, StationQuota, new_short_code, new_token

#: Salt of the signed respondent key; a key signed for anything else does not verify.
KEY_SALT = "fieldwork.respondent-key"
#: A respondent key outlives no wave: 180 days is longer than any fieldwork period.
KEY_MAX_AGE = 60 * 60 * 24 * 180
OPEN_KEY_RANDOM_BYTES = 16


def code_digest(kind: str, code: str) -> str:
    """The stored form of a code: HMAC-SHA256 under ANSWER_CODE_KEY, ``kind`` separating
    link tokens from short codes."""
    secret = settings.ANSWER_CODE_KEY.encode()
    return hmac.new(secret, f"{kind}:{code}".encode(), hashlib.sha256).hexdigest()


def normalise_short_code(raw: str) -> str:
    """What the respondent typed, as stored: capitals, no spaces or dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def display_short_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


@dataclass(frozen=True)
class IssuedCode:
    """A freshly issued code, in plaintext for as long as this object lives."""

    invitation: Invitation
    token: str
    short_code: str

    @property
    def display(self) -> str:
        return display_short_code(self.short_code)


def codes_issue_for(
    invitations: Sequence[Invitation], *, revoke_sessions: bool
) -> list[IssuedCode]:
    """New codes for these invitations, replacing any earlier ones. Call inside the
    transaction that also records why (audit), so that a failure issues nothing."""
    issued = []
    for invitation in invitations:
        issued.append(_issue_one(invitation, revoke_sessions=revoke_sessions))
    return issued


def _issue_one(invitation: Invitation, *, revoke_sessions: bool) -> IssuedCode:
    changes: dict[str, Any] = {}
    if revoke_sessions:
        changes["code_generation"] = F("code_generation") + 1
    for attempt in range(3):
        token, short = new_token(), new_short_code()
        try:
            # Savepoint: a clash of a random code with an existing hash (about 1 in 10^13
            # for short codes) retries with another code instead of failing the batch.
            with transaction.atomic():
                Invitation.objects.filter(pk=invitation.pk).update(
                    token_hash=code_digest("token", token),
                    code_hash=code_digest("code", short),
                    **changes,
                )
            break
        except IntegrityError:
            if attempt == 2:
                raise
    # The instance follows the row without reading it back (one query per code, not two).
    invitation.token_hash = code_digest("token", token)
    invitation.code_hash = code_digest("code", short)
    if revoke_sessions:
        invitation.code_generation += 1
    return IssuedCode(invitation, token, short)


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    return _one(Invitation.objects.filter(token_hash=code_digest("token", token)))


def invitation_by_short_code(raw: str) -> Invitation | None:
    code = normalise_short_code(raw)
    if not code or len(code) > 32 or any(ch not in SHORT_CODE_ALPHABET for ch in code):
        return None
    return _one(Invitation.objects.filter(code_hash=code_digest("code", code)))


def _one(queryset: Any) -> Invitation | None:
    found = list(queryset.order_by()[:1])
    return found[0] if found else None


# --- the respondent's session key -------------------------------------------------------


def invitation_key(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "g": invitation.code_generation}, salt=KEY_SALT)


def open_link_key(quota: StationQuota) -> str:
    random = secrets.token_urlsafe(OPEN_KEY_RANDOM_BYTES)
    return signing.dumps({"o": quota.pk, "r": random}, salt=KEY_SALT)


@dataclass(frozen=True)
class KeyClaims:
    """What a verified respondent key says: an invitation and the code generation it was
    opened under, or an open link's quota and the random part."""

    invitation_id: int | None = None
    generation: int = 0
    quota_id: int | None = None
    random: str = ""

    @property
    def identity(self) -> str:
        """The respondent's identity behind ``resume_hash``: the invitation (so any code
        it is given later resumes the same answers) or the open-link key."""
        if self.invitation_id is not None:
            return f"i:{self.invitation_id}"
        return f"o:{self.quota_id}:{self.random}"


def read_key(key: str | None) -> KeyClaims | None:
    """The claims of a key this server signed, or None (forged, altered, expired)."""
    if not key or len(key) > 300:
        return None
    try:
        data = signing.loads(key, salt=KEY_SALT, max_age=KEY_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("i"), int) and isinstance(data.get("g"), int):
        return KeyClaims(invitation_id=data["i"], generation=data["g"])
    if isinstance(data.get("o"), int) and isinstance(data.get("r"), str) and len(data["r"]) >= 16:
        return KeyClaims(quota_id=data["o"], random=data["r"])
    return None
