"""View guards. Anonymous users go to the login page; users without the role get 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.mixins import AccessMixin
from django.http import HttpRequest

from .roles import Role, is_leadership, is_office, is_station_staff

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from rest_framework.request import Request

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
        # mixed into a View, whose dispatch this extends (AccessMixin itself has none)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class OfficeRequiredMixin(RoleRequiredMixin):
    required_roles = (Role.OFFICE,)


def signed_in(request: HttpRequest | Request) -> User:
    """``request.user`` of a view that a log-in guard (a mixin above, ``login_required``
    or an API permission class) has let through: typed as the signed-in user it is.
    Only a type annotation: nothing is checked here."""
    return cast("User", request.user)
