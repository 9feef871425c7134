"""Role checks for the API. Each class carries ``doc``: the schema prints it as the
endpoint's permissions, so the documentation is the code's own rule.

Object scope is not decided here: station-scoped objects are fetched through
``for_user`` querysets, so station staff get 404 for other stations' objects.
"""

from __future__ import annotations

from typing import Any

from rest_framework import permissions

from survey_platform.core.errors import PermissionDenied
from survey_platform.core.permissions import has_any_role
from survey_platform.core.roles import Role

ALL_ROLES = (Role.OFFICE, Role.STATION, Role.LEADERSHIP)


class RolePermission(permissions.BasePermission):
    read_roles: tuple[Role, ...] = ()
    write_roles: tuple[Role, ...] = ()
    doc = ""

    @property
    def message(self) -> str:  # translated per request
        return str(PermissionDenied.default_message)

    def has_permission(self, request: Any, view: Any) -> bool:
        safe = request.method in permissions.SAFE_METHODS
        return has_any_role(request.user, self.read_roles if safe else self.write_roles)


class OfficeOnly(RolePermission):
    read_roles = write_roles = (Role.OFFICE,)
    doc = "Survey office only. Station staff and leadership: 403."


class OfficeWritesStationReads(RolePermission):
    read_roles = (Role.OFFICE, Role.STATION)
    write_roles = (Role.OFFICE,)
    doc = (
        "Read: survey office (everything) and station staff (only what belongs to their "
        "own stations; anything else is 404). Write: survey office only. Leadership: 403."
    )


class StationWork(RolePermission):
    read_roles = write_roles = (Role.OFFICE, Role.STATION)
    doc = (
        "Survey office (any station) and station staff (their own stations only; another "
        "station's object is 404). Leadership: 403."
    )


class AnyRole(RolePermission):
    read_roles = write_roles = ALL_ROLES
    doc = "Any signed-in user holding a role (survey office, station staff, leadership)."


class AnswerCodeHolder(permissions.AllowAny):
    doc = (
        "No account: the respondent key (from an answer code or the open link) in the "
        "X-Respondent-Key header is the credential. An unknown or replaced key is 404, a "
        "closed wave 410, an already submitted questionnaire 409."
    )


class OfficeWritesLeadershipReads(RolePermission):
    read_roles = (Role.OFFICE, Role.LEADERSHIP)
    write_roles = (Role.OFFICE,)
    doc = (
        "Read: survey office (every version) and leadership (delivered briefings only; "
        "anything else is 404). Write: survey office only. Station staff: 403."
    )
