"""View guards. Anonymous users go to the login page; users without the role get 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.mixins import AccessMixin

from .roles import Role, is_leadership, is_office, is_station_staff

_CHECKS: dict[Role, Callable[[Any], bool]] = {
    Role.OFFICE: is_office,
    Role.STATION: is_station_staff,
    Role.LEADERSHIP: is_leadership,
}


def has_any_role(user: Any, roles: tuple[Role, ...]) -> bool:
    return any(_CHECKS[role](user) for role in roles)


class RoleRequiredMixin(AccessMixin):
    """Allow the view to users holding at least one of ``required_roles``."""

    required_roles: tuple[Role, ...] = ()
    raise_exception = False

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_any_role(request.user, self.required_roles):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class OfficeRequiredMixin(RoleRequiredMixin):
    required_roles = (Role.OFFICE,)
