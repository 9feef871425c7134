"""The three kinds of user and how to tell them apart.

Office admins and leaders are Django groups (so the admin can grant them); station staff
are whoever holds a StationMembership. A user may hold several roles.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _

OFFICE_GROUP = "survey_office"
LEADERSHIP_GROUP = "leadership"


class Role(StrEnum):
    OFFICE = "office"
    STATION = "station"
    LEADERSHIP = "leadership"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.OFFICE: _("Survey office"),
    Role.STATION: _("Station staff"),
    Role.LEADERSHIP: _("Leadership"),
}


def _in_group(user: Any, name: str) -> bool:
    cache = getattr(user, "_group_names_cache", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._group_names_cache = cache
    return name in cache


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_office(user: Any) -> bool:
    return _active(user) and (user.is_superuser or _in_group(user, OFFICE_GROUP))


def is_leadership(user: Any) -> bool:
    return _active(user) and _in_group(user, LEADERSHIP_GROUP)


def is_station_staff(user: Any) -> bool:
    if not _active(user):
        return False
    membership = apps.get_model("network", "StationMembership")
    return membership.objects.filter(user=user).exists()


def roles_of(user: Any) -> list[Role]:
    found = []
    if is_office(user):
        found.append(Role.OFFICE)
    if is_station_staff(user):
        found.append(Role.STATION)
    if is_leadership(user):
        found.append(Role.LEADERSHIP)
    return found
