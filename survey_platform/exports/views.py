"""Export pages. The office's page of a wave: choose a format, language, station and the
flagged-responses rule, start the job, allow or stop station exports, see the recent
export jobs. A station's page (reached through its quota, so another station's is a 404):
the same for its own rows, when the wave allows it. Starting a job leads to its page
(/jobs/<id>/) with live progress and the download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from survey_platform.core.errors import NotFound, SurveyError, ValidationFailed
from survey_platform.core.permissions import OfficeRequiredMixin, RoleRequiredMixin, signed_in
from survey_platform.core.roles import Role, is_office
from survey_platform.fieldwork.models import StationQuota, Wave

from . import selectors, services
from .forms import OfficeExportForm, StationExportForm


def _refused(form: Any, exc: SurveyError) -> None:
    if isinstance(exc, ValidationFailed) and exc.errors:
        for field, msgs in exc.errors.items():
            for msg in msgs:
                form.add_error(field if field in form.fields else None, msg)
    else:
        form.add_error(None, exc.message)


class WaveExportView(OfficeRequiredMixin, TemplateView):
    template_name = "exports/wave_export.html"

    def _wave(self) -> Wave:
        return get_object_or_404(Wave, code=self.kwargs["code"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        wave = kwargs.pop("wave", None) or self._wave()
        kwargs.setdefault("form", OfficeExportForm(wave=wave))
        jobs = selectors.export_jobs(user=self.request.user, wave=wave)
        return super().get_context_data(
            wave=wave, jobs=jobs, minimum=services.MIN_STATION_ROWS, **kwargs
        )

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        wave = self._wave()
        form = OfficeExportForm(request.POST, wave=wave)
        status = 400
        if form.is_valid():
            try:
                job = services.export_start(
                    actor=signed_in(request),
                    wave=wave,
                    fmt=form.cleaned_data["format"],
                    language=form.cleaned_data["language"],
                    station=form.cleaned_data["station"],
                    include_flagged=form.include_flagged,
                )
            except SurveyError as exc:
                _refused(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("The export was queued."))
                return redirect("job-detail", public_id=job.public_id)
        return self.render_to_response(self.get_context_data(wave=wave, form=form), status=status)


class StationExportsToggleView(OfficeRequiredMixin, View):
    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        wave = get_object_or_404(Wave, code=code)
        allowed = request.POST.get("allowed") == "1"
        services.wave_set_station_exports(actor=signed_in(request), wave=wave, allowed=allowed)
        if allowed:
            messages.success(request, _("Stations may now export their own responses."))
        else:
            messages.success(request, _("Stations can no longer export their responses."))
        return redirect("exports:wave", code=wave.code)


class StationExportView(RoleRequiredMixin, TemplateView):
    """One station's export page in one wave (through its quota: for_user scoping)."""

    required_roles = (Role.STATION, Role.OFFICE)
    template_name = "exports/station_export.html"

    def _quota(self) -> StationQuota:
        return get_object_or_404(
            StationQuota.objects.for_user(self.request.user).select_related("wave", "station"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        quota = kwargs.pop("quota", None) or self._quota()
        kwargs.setdefault("form", StationExportForm())
        return super().get_context_data(
            quota=quota,
            wave=quota.wave,
            station=quota.station,
            allowed=quota.wave.stations_may_export or is_office(self.request.user),
            minimum=services.MIN_STATION_ROWS,
            jobs=selectors.export_jobs(
                user=self.request.user, wave=quota.wave, station=quota.station
            ),
            **kwargs,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quota = self._quota()
        form = StationExportForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                job = services.export_start(
                    actor=signed_in(request),
                    wave=quota.wave,
                    fmt=form.cleaned_data["format"],
                    language=form.cleaned_data["language"],
                    station=quota.station,
                )
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except SurveyError as exc:
                _refused(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("The export was queued."))
                return redirect("job-detail", public_id=job.public_id)
        context = self.get_context_data(quota=quota, form=form)
        return self.render_to_response(context, status=status)
