"""The one place that decides which station-scoped rows a user may reach.

Every model that belongs to a station uses ``StationScopedQuerySet`` (setting
``station_path`` to the lookup from the model to its Station), and every page and API
view fetches such objects through ``Model.objects.for_user(user)``. A station officer
therefore gets a 404 — not a 403 that would confirm the object exists — for anything
outside their own stations. Office admins see everything; nobody else sees anything.
"""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.apps import apps
from django.db import models

from .roles import is_office

_M = TypeVar("_M", bound=models.Model)


def station_ids_for(user: Any) -> models.QuerySet[Any, Any]:
    membership = apps.get_model("network", "StationMembership")
    return membership.objects.filter(user=user).values("station_id")


class StationScopedQuerySet(models.QuerySet[_M]):
    #: Lookup path from this model to its Station; empty for Station itself.
    station_path: str = "station"

    def for_user(self, user: Any) -> Self:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if is_office(user):
            return self
        key = f"{self.station_path}__in" if self.station_path else "pk__in"
        return self.filter(**{key: station_ids_for(user)})
