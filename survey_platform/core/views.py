from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import ListView, TemplateView

from reports.selectors import briefings_for_leadership
from survey_platform.network.selectors import network_summary

from .filters import AuditEventFilter
from .models import AuditEvent
from .permissions import OfficeRequiredMixin, signed_in
from .roles import Role, roles_of


class HomeView(LoginRequiredMixin, TemplateView):
    """One landing page; each role the user holds adds its own section."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = signed_in(self.request)
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


class AuditLogView(OfficeRequiredMixin, ListView[AuditEvent]):
    """The office's view of the audit trail: who did what, filterable, newest first."""

    template_name = "core/audit_log.html"
    paginate_by = 50
    context_object_name = "events"

    def get_queryset(self) -> Any:
        self.filterset = AuditEventFilter(
            self.request.GET or None, queryset=AuditEvent.objects.all()
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            return AuditEvent.objects.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filter=self.filterset, query=query.urlencode(), **kwargs)
