from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import pre_save
from django.dispatch import receiver

from . import login_limits
from .audit import audit
from .models import AuditAction
from .usernames import normalise_username


@receiver(user_logged_in)
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit(AuditAction.LOGIN, actor=user, request=request)


@receiver(user_logged_out)
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit(AuditAction.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    # Only the attempted user name is kept, never the password.
    name = str(credentials.get("username", ""))[:150]
    # Every failed check counts against the user name, whichever form asked
    # (login_limits.py); the normalised name, so look-alikes share one counter.
    login_limits.count_failure(name)
    audit(
        AuditAction.LOGIN_FAILED,
        actor=None,
        actor_repr=name,
        data={"username": name},
        request=request,
    )


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _normalise_username(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Users are stored under the one spelling the login looks up (usernames.py), whoever
    # creates them: the admin, createsuperuser, create_user, the demo, a data import.
    field = getattr(sender, "USERNAME_FIELD", "username")
    current = getattr(instance, field, None)
    if isinstance(current, str):
        setattr(instance, field, normalise_username(current))
