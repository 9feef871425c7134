"""How a respondent comes in: a link token, a typed short code, or a station's open link.

Each way ends in a signed respondent key (codes.py) that the web form puts in a cookie and
an API client sends in a header; from then on no code is in any URL. Used by the web views
and the API alike, so that the checks and limits are the same on both.

Limits (fixed windows in the shared cache, keyed by hashes: no address or code is kept):

* typed short codes: 20 attempts per address and 5 per code in 10 minutes, because a
  short code can be guessed;
* the open link hands out a new key only when the browser has none for it, and at most
  ``OPEN_KEYS_PER_ADDRESS`` per address per day and ``OPEN_KEYS_PER_LINK`` per link per
  hour: a script cannot start thousands of questionnaires, and the quota counts only
  complete ones anyway (a partial takes no place).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from survey_platform.core import ratelimit
from survey_platform.core.errors import SurveyError

from . import codes
from . import respondent as svc
from .models import StationQuota

CODE_PER_ADDRESS = (20, 600)
CODE_PER_CODE = (5, 600)
#: New open-link questionnaires one address may start in a day. A household or an office
#: behind one address may share a phone or a network; a script may not fill a station.
OPEN_KEYS_PER_ADDRESS = (30, 86400)
#: New open-link questionnaires per link per hour: far above a real poster's traffic.
OPEN_KEYS_PER_LINK = (300, 3600)


class TooManyAttempts(SurveyError):
    status_code = 429
    default_message = _("Too many attempts. Please wait ten minutes and try again.")


class TooManyStarts(SurveyError):
    status_code = 429
    default_message = _(
        "Too many questionnaires were started from this network. If you have already "
        "started one, continue it in the same browser; otherwise try again later."
    )


def enter_with_token(token: str) -> tuple[svc.Session, str]:
    """The session and key of a link token; raises UnknownCode, WaveNotOpen, ..."""
    invitation = codes.invitation_by_token(token)
    session = svc.session_for_invitation(invitation, None)
    assert invitation is not None
    svc.mark_opened(session)
    return session, codes.invitation_key(invitation)


def enter_with_short_code(raw: str, address: str) -> tuple[svc.Session, str]:
    """As ``enter_with_token`` for a typed code, rate limited per address and per code."""
    code = codes.normalise_short_code(raw)
    limited = not ratelimit.allow("code-ip", address, *CODE_PER_ADDRESS) or not ratelimit.allow(
        "code", code or "-", *CODE_PER_CODE
    )
    if limited:
        raise TooManyAttempts()
    invitation = codes.invitation_by_short_code(code)
    session = svc.session_for_invitation(invitation, None)
    assert invitation is not None
    svc.mark_opened(session)
    return session, codes.invitation_key(invitation)


def open_link_quota(token: str) -> StationQuota:
    """The quota behind an open link that still takes respondents, or a refusal."""
    quota = (
        StationQuota.objects.select_related("wave", "station")
        .filter(open_token=token, open_link_enabled=True)
        .first()
        if token and len(token) <= 64
        else None
    )
    if quota is None:
        raise svc.UnknownCode()
    svc.check_open(quota.wave)
    if quota.completes >= quota.target:
        raise svc.QuotaFull()
    return quota


def open_link_start(token: str, address: str, current_key: str | None = None) -> str:
    """The respondent key for an open link: the browser's own if it already has a valid
    one for this link, else a new one made by the server, within the limits above."""
    quota = open_link_quota(token)
    claims = codes.read_key(current_key)
    if claims is not None and claims.quota_id == quota.pk:
        return current_key or ""
    if not ratelimit.allow("open-ip", f"{quota.pk}:{address}", *OPEN_KEYS_PER_ADDRESS):
        raise TooManyStarts()
    if not ratelimit.allow("open-link", str(quota.pk), *OPEN_KEYS_PER_LINK):
        raise TooManyStarts()
    return codes.open_link_key(quota)
