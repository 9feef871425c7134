"""Office pages for questionnaires: list, versions, import, preview, diff, publish."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from instruments.form_messages import form_messages
from instruments.rendering import render_pages
from instruments.xlsform import write_xlsform
from survey_platform.core.errors import SurveyError, ValidationFailed
from survey_platform.core.permissions import OfficeRequiredMixin, signed_in

from . import services
from .forms import NewInstrumentForm, XlsformUploadForm
from .models import Instrument, InstrumentVersion
from .selectors import instruments_with_versions, previous_version, schema_of, version_changes


def _flash_errors(request: HttpRequest, exc: SurveyError) -> None:
    messages.error(request, exc.message)
    if isinstance(exc, ValidationFailed):
        for msgs in exc.errors.values():
            for msg in msgs:
                messages.error(request, msg)


class InstrumentListView(OfficeRequiredMixin, TemplateView):
    template_name = "instruments/instrument_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", NewInstrumentForm())
        return super().get_context_data(instruments=instruments_with_versions(), **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = NewInstrumentForm(request.POST, request.FILES)
        issues: list[str] = []
        if form.is_valid():
            try:
                version = services.instrument_import_xlsform(
                    actor=signed_in(request),
                    data=form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                    code=form.cleaned_data["code"],
                )
            except services.DefinitionInvalid as exc:
                issues = exc.errors["definition"]
            except ValidationFailed as exc:
                for field, msgs in exc.errors.items():
                    for msg in msgs:
                        form.add_error(field if field in form.fields else None, msg)
            else:
                messages.success(request, _("Questionnaire imported as a draft."))
                return redirect("instruments:version", pk=version.pk)
        context = self.get_context_data(form=form, issues=issues)
        return self.render_to_response(context, status=400)


class InstrumentDetailView(OfficeRequiredMixin, TemplateView):
    template_name = "instruments/instrument_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        instrument = get_object_or_404(Instrument, code=self.kwargs["code"])
        return super().get_context_data(
            instrument=instrument,
            versions=instrument.versions.order_by("-number"),
            form=kwargs.pop("form", None) or XlsformUploadForm(),
            **kwargs,
        )

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        instrument = get_object_or_404(Instrument, code=code)
        form = XlsformUploadForm(request.POST, request.FILES)
        issues: list[str] = []
        if form.is_valid():
            try:
                version = services.version_import_xlsform(
                    actor=signed_in(request),
                    instrument=instrument,
                    data=form.cleaned_data["file"],
                    note=form.cleaned_data["note"],
                )
            except services.DefinitionInvalid as exc:
                issues = exc.errors["definition"]
            except ValidationFailed as exc:
                for msgs in exc.errors.values():
                    for msg in msgs:
                        form.add_error("file", msg)
            else:
                messages.success(request, _("New draft version imported."))
                return redirect("instruments:version", pk=version.pk)
        context = self.get_context_data(form=form, issues=issues)
        return self.render_to_response(context, status=400)


class VersionDetailView(OfficeRequiredMixin, TemplateView):
    template_name = "instruments/version_detail.html"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Replace this draft's definition with an uploaded workbook."""
        version = get_object_or_404(InstrumentVersion, pk=pk)
        form = XlsformUploadForm(request.POST, request.FILES)
        issues: list[str] = []
        if form.is_valid():
            try:
                services.version_replace_from_xlsform(
                    actor=signed_in(request), version=version, data=form.cleaned_data["file"]
                )
            except services.DefinitionInvalid as exc:
                issues = exc.errors["definition"]
            except SurveyError as exc:
                _flash_errors(request, exc)
                return redirect("instruments:version", pk=version.pk)
            else:
                messages.success(request, _("The draft was replaced by the uploaded workbook."))
                return redirect("instruments:version", pk=version.pk)
        context = self.get_context_data(form=form, issues=issues)
        return self.render_to_response(context, status=400)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", XlsformUploadForm())
        version = get_object_or_404(
            InstrumentVersion.objects.select_related("instrument"), pk=self.kwargs["pk"]
        )
        schema = schema_of(version)
        return super().get_context_data(
            version=version,
            schema=schema,
            pages=render_pages(schema, translation.get_language() or "zh-hans"),
            previous=previous_version(version),
            **kwargs,
        )


class VersionPreviewView(OfficeRequiredMixin, TemplateView):
    """Exactly what a respondent sees (same renderer and templates), logic live."""

    template_name = "instruments/preview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        version = get_object_or_404(
            InstrumentVersion.objects.select_related("instrument"), pk=self.kwargs["pk"]
        )
        schema = schema_of(version)
        language = self.request.GET.get("lang") or schema.default_language
        if language not in schema.languages:
            language = schema.default_language
        with translation.override(language):
            pages = render_pages(
                schema, language, seed=None, other_label=_("Other (please specify)")
            )
        return super().get_context_data(
            version=version,
            schema=schema,
            pages=pages,
            form_language=language,
            form_messages=form_messages(language),
            all_pages=self.request.GET.get("all") == "1",
            languages=schema.languages,
            **kwargs,
        )


class VersionDiffView(OfficeRequiredMixin, TemplateView):
    template_name = "instruments/version_diff.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        new = get_object_or_404(InstrumentVersion, pk=self.kwargs["pk"])
        old = get_object_or_404(
            InstrumentVersion, pk=self.kwargs["other"], instrument=new.instrument
        )
        changes = version_changes(old, new)
        rendered = [(change, change.message.render(_)) for change in changes]
        return super().get_context_data(
            old=old,
            new=new,
            changes=rendered,
            breaking=sum(change.breaks_comparability for change in changes),
            **kwargs,
        )


class VersionXlsformView(OfficeRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(InstrumentVersion.objects.select_related("instrument"), pk=pk)
        data = write_xlsform(schema_of(version))
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        filename = f"{version.instrument.code}-v{version.number}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class _VersionAction(OfficeRequiredMixin, View):
    """POST-only buttons on the version page; subclasses define ``act`` (a service call)."""

    success_message: Any = ""
    act: Any

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(InstrumentVersion.objects.select_related("instrument"), pk=pk)
        try:
            result = self.act(request.user, version)
        except SurveyError as exc:
            _flash_errors(request, exc)
            return redirect("instruments:version", pk=version.pk)
        messages.success(request, str(self.success_message))
        if result is None:
            return redirect("instruments:instrument", code=version.instrument.code)
        return redirect("instruments:version", pk=result.pk)


class VersionPublishView(_VersionAction):
    success_message = gettext_lazy("Version published. It can no longer be changed.")

    @staticmethod
    def act(actor: Any, version: InstrumentVersion) -> InstrumentVersion:
        return services.version_publish(actor=actor, version=version)


class VersionCopyView(_VersionAction):
    success_message = gettext_lazy("A new draft was created from this version.")

    @staticmethod
    def act(actor: Any, version: InstrumentVersion) -> InstrumentVersion:
        return services.version_copy(actor=actor, version=version)


class VersionDiscardView(_VersionAction):
    success_message = gettext_lazy("Draft discarded.")

    @staticmethod
    def act(actor: Any, version: InstrumentVersion) -> None:
        services.version_discard_draft(actor=actor, version=version)
