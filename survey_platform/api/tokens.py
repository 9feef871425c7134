"""Writes and reads of API tokens. Keys are random (256 bits) and kept only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from survey_platform.core.audit import audit
from survey_platform.core.errors import Conflict, ValidationFailed
from survey_platform.core.models import AuditAction

from .models import ApiToken

KEY_PREFIX = "stp_"
DEFAULT_DAYS = 90
MAX_DAYS = 365
#: last_used_at is written at most this often per token (one UPDATE, not one per request).
TOUCH_SECONDS = 60


def hash_key(key: str) -> str:
    # A 256-bit random key needs no slow hash: nobody can guess it from its SHA-256.
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def token_create(
    *, actor: Any, user: Any, name: str, days: int = DEFAULT_DAYS, actor_repr: str = ""
) -> tuple[ApiToken, str]:
    """A new token for ``user`` valid for ``days``; returns it with the key (shown once)."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the token a name, e.g. the script that uses it.")]
    elif len(name) > 100:
        errors["name"] = [_("At most 100 characters.")]
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        errors["days"] = [_("A token is valid for 1 to %(max)d days.") % {"max": MAX_DAYS}]
    if errors:
        raise ValidationFailed(errors)
    if not user.is_active:
        raise ValidationFailed({"user": [_("This user account is inactive.")]})
    key = new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=key[: len(KEY_PREFIX) + 4],
            key_hash=hash_key(key),
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit(
            AuditAction.CREATE,
            actor=actor,
            actor_repr=actor_repr,
            obj=token,
            data={"event": "api_token", "user": user.get_username(), "days": days},
        )
    return token, key


def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise Conflict(_("This token has already been revoked."))
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit(AuditAction.DELETE, actor=actor, obj=locked, data={"event": "api_token"})
    return locked


def token_for_key(key: str) -> ApiToken | None:
    if not key.startswith(KEY_PREFIX):
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()


def token_touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(seconds=TOUCH_SECONDS):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)
