"""The office's common grievances page of a wave (issue 7): ranked table, bar chart with
confidence intervals, grievance x sector heat map, hotspots and scrubbed quotes.

Privacy: everything shown comes from the suppressed :class:`GrievanceTable` (small cells
blank, quotes scrubbed and only from stations with at least k respondents); this page
never shows an individual response.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from survey_platform.core.errors import SurveyError
from survey_platform.core.permissions import OfficeRequiredMixin

from .grievance_charts import bar_chart, heat_map, pick, ranked_rows
from .grievances import wave_grievance_report
from .models import Wave


class GrievancesView(OfficeRequiredMixin, TemplateView):
    template_name = "fieldwork/grievances/wave_grievances.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        wave = get_object_or_404(Wave, code=self.kwargs["code"])
        context: dict[str, Any] = {"wave": wave, "error": None}
        try:
            report = wave_grievance_report(wave)
        except SurveyError as exc:
            context["error"] = exc.message
            return super().get_context_data(**context)
        table = report.table
        rows = ranked_rows(table)
        hotspots = [
            {"row": r.row, "label": r.label, "by": pick(h.by_label) or h.by,
             "domain": pick(h.domain_label) or h.domain, "hotspot": h}
            for r in rows
            for h in r.row.hotspots
        ]  # fmt: skip
        quotes = [(r, q) for r in rows for q in r.row.quotes]
        context.update(
            table=table,
            rows=rows,
            chart=bar_chart(table),
            heat=heat_map(table, report.sectors, _("n/a")),
            hotspots=hotspots,
            quotes=[{"code": r.row.code, "label": r.label, "text": q.text,
                     "sector": pick(q.sector_label) or (q.sector or "")} for r, q in quotes],
        )  # fmt: skip
        return super().get_context_data(**context)
