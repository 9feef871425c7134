from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from reports.selectors import briefings_for_leadership
from survey_platform.network.selectors import network_summary

from .roles import Role, roles_of


class HomeView(LoginRequiredMixin, TemplateView):
    """One landing page; each role the user holds adds its own section."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        found = roles_of(user)
        context: dict[str, Any] = {"roles": found}
        if Role.OFFICE in found:
            context["summary"] = network_summary()
        if Role.STATION in found:
            context["my_memberships"] = user.station_memberships.select_related(
                "station__region", "station__sector"
            )
        if Role.LEADERSHIP in found:
            context["briefings"] = briefings_for_leadership()
        return super().get_context_data(**context, **kwargs)
