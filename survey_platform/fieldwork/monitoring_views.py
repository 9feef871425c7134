"""Monitoring pages: a station's progress against its quota, and the office's wave monitor
with its CSV download. Figures come from monitoring.py; these views only pick the objects
the user may see and render."""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from survey_platform.core.audit import audit
from survey_platform.core.models import AuditAction
from survey_platform.core.permissions import OfficeRequiredMixin, RoleRequiredMixin, signed_in
from survey_platform.core.roles import Role

from . import monitoring
from .charts import daily_chart
from .models import InvitationState, StationQuota, Wave

SORT_LABELS = {
    "region": gettext_lazy("Region"),
    "station": gettext_lazy("Station"),
    "completion": gettext_lazy("Completion, lowest first"),
    "-completion": gettext_lazy("Completion, highest first"),
    "response_rate": gettext_lazy("Response rate, lowest first"),
}


def _definitions() -> dict[str, Any]:
    return {
        "lag_tolerance": int(monitoring.LAG_TOLERANCE_POINTS),
        "closed_minimum": int(monitoring.CLOSED_MIN_PERCENT),
        "now": timezone.now(),
    }


class StationDashboardView(RoleRequiredMixin, TemplateView):
    """A station's progress in one wave. Station staff reach only their own stations'
    quotas (404 otherwise, through for_user); the office reaches all."""

    required_roles = (Role.STATION, Role.OFFICE)
    template_name = "fieldwork/monitor/station_dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        quota = get_object_or_404(
            StationQuota.objects.for_user(self.request.user).select_related(
                "wave__instrument_version", "station__region", "station__sector"
            ),
            pk=self.kwargs["pk"],
        )
        dashboard = monitoring.station_dashboard(quota)
        states = [
            (InvitationState(state).label, n) for state, n in dashboard.invitation_states.items()
        ]
        return super().get_context_data(
            quota=quota,
            wave=quota.wave,
            dashboard=dashboard,
            figures=dashboard.figures,
            states=states,
            chart=daily_chart(dashboard.days, quota.target) if dashboard.days else None,
            **_definitions(),
            **kwargs,
        )


class OfficeMonitorView(OfficeRequiredMixin, TemplateView):
    template_name = "fieldwork/monitor/office_monitor.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        wave = get_object_or_404(Wave, code=self.kwargs["code"])
        monitor = monitoring.office_monitor(wave, self.request.GET.get("sort", ""))
        days = monitoring.completes_per_day(wave)
        return super().get_context_data(
            wave=wave,
            monitor=monitor,
            sorts=list(SORT_LABELS.items()),
            chart=daily_chart(days, monitor.total.target) if days else None,
            **_definitions(),
            **kwargs,
        )


#: Spreadsheet programs run a cell starting with these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


class OfficeMonitorCsvView(OfficeRequiredMixin, View):
    """The monitor table as CSV: one row per station, in the page's sort order. UTF-8 with
    a byte-order mark, so Excel reads the Chinese names correctly."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        wave = get_object_or_404(Wave, code=code)
        monitor = monitoring.office_monitor(wave, request.GET.get("sort", ""))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"monitor-{wave.code}.csv"
        )
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(
            [
                _("Station"),
                _("Host institution"),
                _("Region"),
                _("Sector"),
                _("Target"),
                _("Completes"),
                _("Share of target (percent)"),
                _("Partial responses"),
                _("Invitations issued"),
                _("Invitations completed"),
                _("Response rate (%)"),
                _("Lagging"),
            ]
        )
        for row in monitor.rows:
            station = row.quota.station
            writer.writerow(
                [
                    _cell(station.name),
                    _cell(station.host_institution),
                    _cell(str(station.region)),
                    _cell(str(station.sector)),
                    row.target,
                    row.completes,
                    _percent(row.percent_of_target),
                    row.partials,
                    row.invitations,
                    row.invitations_completed,
                    _percent(row.response_rate),
                    _("yes") if row.lagging else _("no"),
                ]
            )
        audit(
            AuditAction.EXPORT,
            actor=signed_in(request),
            obj=wave,
            data={"export": "fieldwork_monitor_csv", "rows": len(monitor.rows)},
            request=request,
        )
        return response
