"""The one helper every sensitive action calls to leave a trace."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.http import HttpRequest

from .addresses import client_address
from .models import AuditAction, AuditEvent


def audit(
    action: AuditAction | str,
    *,
    actor: User | AnonymousUser | None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_repr: str = "",
) -> AuditEvent:
    user = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
        actor=user,
        actor_repr=actor_repr or (user.get_username() if user is not None else ""),
        action=str(action),
        data=data or {},
        ip_address=_client_ip(request) if request is not None else None,
    )
    if obj is not None:
        event.object_type = obj._meta.label_lower
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:255]
    event.save()
    return event


def _client_ip(request: HttpRequest) -> str | None:
    # Staff actions only: respondents' addresses are never stored anywhere. Through the
    # trusted proxies, so the audit names the client and not the load balancer.
    return client_address(request) or None
