"""Office pages for waves and quotas, and the station staff's list of their waves."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View
from django.views.generic import TemplateView

from survey_platform.core.errors import SurveyError, ValidationFailed
from survey_platform.core.permissions import OfficeRequiredMixin, RoleRequiredMixin, signed_in
from survey_platform.core.roles import Role

from . import services
from .forms import CopyWaveForm, QuotaForm, WaveForm
from .models import Wave
from .selectors import partial_count, quotas_for_user, quotas_of_wave, waves_with_totals


def _form_errors(form: Any, exc: ValidationFailed) -> None:
    for field, msgs in exc.errors.items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)


class WaveListView(OfficeRequiredMixin, TemplateView):
    template_name = "fieldwork/wave_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", WaveForm())
        return super().get_context_data(waves=waves_with_totals(), **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = WaveForm(request.POST)
        if form.is_valid():
            try:
                wave = services.wave_create(actor=signed_in(request), **form.cleaned_data)
            except ValidationFailed as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Wave created. Now set the station quotas."))
                return redirect("fieldwork:wave", code=wave.code)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class WaveDetailView(OfficeRequiredMixin, TemplateView):
    template_name = "fieldwork/wave_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        wave = get_object_or_404(
            Wave.objects.select_related("instrument_version__instrument"), code=self.kwargs["code"]
        )
        kwargs.setdefault("quota_form", QuotaForm())
        kwargs.setdefault("copy_form", CopyWaveForm())
        return super().get_context_data(
            wave=wave, quotas=quotas_of_wave(wave), partials=partial_count(wave), **kwargs
        )

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        """Set one station's quota."""
        wave = get_object_or_404(Wave, code=code)
        form = QuotaForm(request.POST)
        if form.is_valid():
            try:
                services.quota_set(actor=signed_in(request), wave=wave, **form.cleaned_data)
            except ValidationFailed as exc:
                _form_errors(form, exc)
            except SurveyError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Quota saved."))
                return redirect("fieldwork:wave", code=wave.code)
        return self.render_to_response(self.get_context_data(quota_form=form), status=400)


class WaveActionView(OfficeRequiredMixin, View):
    """Lifecycle buttons: open, close, mark analysed."""

    ACTIONS = {
        "open": (services.wave_open, gettext_noop("The wave is open for answers.")),
        "close": (services.wave_close, gettext_noop("The wave is closed.")),
        "analysed": (services.wave_mark_analysed, gettext_noop("The wave is marked as analysed.")),
    }

    def post(self, request: HttpRequest, code: str, action: str) -> HttpResponse:
        wave = get_object_or_404(Wave, code=code)
        if action not in self.ACTIONS:
            return redirect("fieldwork:wave", code=code)
        service, done = self.ACTIONS[action]
        try:
            service(actor=signed_in(request), wave=wave)
        except SurveyError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _(done))
        return redirect("fieldwork:wave", code=code)


class WaveCopyView(OfficeRequiredMixin, View):
    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        wave = get_object_or_404(Wave, code=code)
        form = CopyWaveForm(request.POST)
        if not form.is_valid():
            for msgs in form.errors.values():
                for msg in msgs:
                    messages.error(request, str(msg))  # (str already; the stubs are wider)
            return redirect("fieldwork:wave", code=code)
        try:
            new = services.wave_copy_next(actor=signed_in(request), wave=wave, **form.cleaned_data)
        except SurveyError as exc:
            messages.error(request, exc.message)
            for msgs in getattr(exc, "errors", {}).values():
                for msg in msgs:
                    messages.error(request, msg)
            return redirect("fieldwork:wave", code=code)
        messages.success(request, _("Next wave created with the same questionnaire and quotas."))
        return redirect("fieldwork:wave", code=new.code)


class MyWavesView(RoleRequiredMixin, TemplateView):
    """Station staff: the waves their stations take part in."""

    required_roles = (Role.STATION, Role.OFFICE)
    template_name = "fieldwork/my_waves.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(quotas=quotas_for_user(self.request.user), **kwargs)
