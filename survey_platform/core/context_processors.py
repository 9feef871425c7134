from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .roles import Role, roles_of


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    found = roles_of(user) if user is not None else []
    return {
        "user_roles": found,
        "is_office": Role.OFFICE in found,
        "is_station_staff": Role.STATION in found,
        "is_leadership": Role.LEADERSHIP in found,
    }
