"""The office's data quality page: flag counts by station, durations, the exclude
setting, and a button that recomputes the flags in the background.

Privacy: this page shows counts only, never the answers of an individual response.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.tasks import TaskResultStatus
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from survey_platform.core.errors import SurveyError
from survey_platform.core.permissions import OfficeRequiredMixin, signed_in
from survey_platform.core.tasks import settled

from . import services
from .models import Wave
from .quality import (
    DISPLAY_ORDER,
    DURATION_MIN_N,
    FLAG_LABELS,
    SPEEDER_FRACTION,
    SPEEDER_MIN_COMPLETES,
    STRAIGHTLINE_MIN_ROWS,
    analysable_responses,
    duration_stats,
    flag_counts_by_station,
    flag_quality_task,
    last_check,
    set_aside_count,
    total_quality,
)


class ExcludeFlaggedForm(forms.Form):
    exclude_flagged = forms.TypedChoiceField(
        choices=[
            ("1", gettext_lazy("Exclude flagged responses")),
            ("0", gettext_lazy("Include flagged responses")),
        ],
        coerce=lambda value: value == "1",
    )


class QualityView(OfficeRequiredMixin, TemplateView):
    template_name = "fieldwork/quality/wave_quality.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        wave = get_object_or_404(Wave, code=self.kwargs["code"])
        stations = flag_counts_by_station(wave)
        return super().get_context_data(
            wave=wave,
            flag_labels=[FLAG_LABELS[flag] for flag in DISPLAY_ORDER],
            stations=stations,
            total=total_quality(stations),
            durations=duration_stats(wave),
            analysable=analysable_responses(wave).count(),
            set_aside=set_aside_count(wave),
            last_check=last_check(wave),
            speeder_share=f"1/{round(1 / SPEEDER_FRACTION)}",
            speeder_min=SPEEDER_MIN_COMPLETES,
            straightline_rows=STRAIGHTLINE_MIN_ROWS,
            duration_min=DURATION_MIN_N,
            **kwargs,
        )


class QualityRunView(OfficeRequiredMixin, View):
    """Queue the flagging task (with the immediate backend it has finished on return)."""

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        wave = get_object_or_404(Wave, code=code)
        result = settled(flag_quality_task.enqueue(wave.pk, request.user.pk))
        if result.status == TaskResultStatus.SUCCESSFUL:
            changed = result.return_value["changed"]
            messages.success(
                request,
                _("Quality flags recomputed: %(n)d responses changed.") % {"n": changed},
            )
        elif result.status == TaskResultStatus.FAILED:
            messages.error(request, _("The quality check failed. Please try again."))
        else:
            messages.success(
                request,
                _("The quality check is queued; reload this page in a few minutes."),
            )
        return redirect("fieldwork:quality", code=wave.code)


class QualityExcludeView(OfficeRequiredMixin, View):
    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        wave = get_object_or_404(Wave, code=code)
        form = ExcludeFlaggedForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose whether to exclude flagged responses."))
            return redirect("fieldwork:quality", code=wave.code)
        exclude = form.cleaned_data["exclude_flagged"]
        try:
            services.wave_update(actor=signed_in(request), wave=wave, exclude_flagged=exclude)
        except SurveyError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Flagged responses are now excluded from analysis.")
                if exclude
                else _("Flagged responses are now included in analysis."),
            )
        return redirect("fieldwork:quality", code=wave.code)
