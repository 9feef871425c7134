"""Briefing pages: the office's list, generation, preview, approval and delivery; the
leadership portal and downloads; a station's feedback report.

Thin views: reads through :mod:`.selectors` (which decides what a user may see: a 404
otherwise), writes through :mod:`.services` (audited; SurveyErrors become messages).
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.generic import TemplateView

from survey_platform.core import csp
from survey_platform.core.errors import NotFound, SurveyError, ValidationFailed
from survey_platform.core.permissions import OfficeRequiredMixin, RoleRequiredMixin, signed_in
from survey_platform.core.roles import Role
from survey_platform.fieldwork.models import StationQuota

from . import selectors, services
from .forms import DeliverForm, GenerateForm, StationReportForm
from .inputs import minimum_responses
from .models import Briefing, BriefingStatus


def _briefing(request: HttpRequest, pk: int) -> Briefing:
    try:
        return selectors.briefing_for_user(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _edition() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


def _office_list(request: HttpRequest, form: GenerateForm | None = None) -> HttpResponse:
    context = {
        "overview": selectors.office_overview(),
        "jobs": selectors.briefing_jobs(),
        "form": form or GenerateForm(initial={"language": _edition()}),
        "minimum": minimum_responses(),
    }
    return TemplateResponse(request, "reports/office_list.html", context)


def _detail(request: HttpRequest, briefing: Briefing, form: DeliverForm | None = None) -> Any:
    recipients = briefing.recipients or services.default_recipients()
    context = {
        "b": briefing,
        "versions": Briefing.objects.filter(wave=briefing.wave, language=briefing.language),
        "deliver_form": form or DeliverForm(initial={"recipients": "\n".join(recipients)}),
        "statuses": BriefingStatus,
    }
    return TemplateResponse(request, "reports/detail.html", context)


class BriefingListView(OfficeRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _office_list(request)


class GenerateView(OfficeRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = GenerateForm(request.POST)
        if not form.is_valid():
            return _office_list(request, form)
        try:
            job = services.briefing_generate(
                wave=form.cleaned_data["wave"],
                language=form.cleaned_data["language"],
                actor=signed_in(request),
            )
        except SurveyError as exc:
            messages.error(request, exc.message)
            return redirect("reports:list")
        return redirect("job-detail", public_id=job.public_id)


class BriefingDetailView(OfficeRequiredMixin, View):
    """Preview before approval: the very PDF that will be delivered, inline."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, _briefing(request, pk))


class BriefingPdfView(RoleRequiredMixin, View):
    """The PDF: office any version, leadership delivered ones. Every download is audited."""

    required_roles = (Role.OFFICE, Role.LEADERSHIP)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
        briefing = _briefing(request, pk)
        inline = request.GET.get("inline") == "1"
        try:
            data = services.briefing_pdf_bytes(briefing)
        except SurveyError as exc:
            return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain")
        services.briefing_mark_downloaded(
            briefing=briefing, actor=signed_in(request), request=request, inline=inline
        )
        response = FileResponse(
            io.BytesIO(data),
            as_attachment=not inline,
            filename=briefing.download_name,
            content_type="application/pdf",
        )
        return response

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # The preview page shows the PDF in a frame of the same site (both headers: the
        # CSP's frame-ancestors and the older X-Frame-Options).
        view = xframe_options_sameorigin(super().as_view(**initkwargs))
        return csp_override(csp.FRAMED_BY_SITE)(view)


class ApproveView(OfficeRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        briefing = _briefing(request, pk)
        try:
            services.briefing_approve(briefing=briefing, actor=signed_in(request), request=request)
        except SurveyError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Issue %(n)s approved.") % {"n": briefing.number})
        return redirect("reports:detail", pk=briefing.pk)


class DeliverView(OfficeRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        briefing = _briefing(request, pk)
        form = DeliverForm(request.POST)
        try:
            if not form.is_valid():
                # (An ErrorList yields its messages as str; the stubs allow ValidationErrors.)
                raise ValidationFailed({k: [str(m) for m in v] for k, v in form.errors.items()})
            recipients = services.parse_recipients(form.cleaned_data["recipients"])
            services.briefing_deliver(
                briefing=briefing,
                actor=signed_in(request),
                recipients=recipients,
                base_url=request.build_absolute_uri("/"),
                request=request,
            )
        except ValidationFailed as exc:
            for errors in exc.errors.values():
                for error in errors:
                    form.add_error(None, error)
            return _detail(request, briefing, form)
        except SurveyError as exc:
            messages.error(request, exc.message)
            return redirect("reports:detail", pk=briefing.pk)
        messages.success(
            request,
            _("Issue %(n)s is being e-mailed to %(count)s recipients.")
            % {"n": briefing.number, "count": len(recipients)},
        )
        return redirect("reports:detail", pk=briefing.pk)


class PortalView(RoleRequiredMixin, TemplateView):
    """Leadership: every delivered issue by number, its headline trends, its downloads."""

    required_roles = (Role.LEADERSHIP, Role.OFFICE)
    template_name = "reports/portal.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(issues=selectors.portal_issues(_edition()), **kwargs)


class StationReportView(RoleRequiredMixin, View):
    """Start a station's feedback report: its own staff (404 for any other station) or the
    office. The report is a job of that station, so only they can open or download it."""

    required_roles = (Role.STATION, Role.OFFICE)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quota = get_object_or_404(
            StationQuota.objects.for_user(request.user).select_related("wave", "station"), pk=pk
        )
        form = StationReportForm(request.POST or {"language": _edition()})
        language = form.cleaned_data["language"] if form.is_valid() else _edition()
        try:
            job = services.station_report_generate(
                quota=quota, language=language, actor=signed_in(request)
            )
        except SurveyError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("fieldwork:station-dashboard", args=[quota.pk]))
        return redirect("job-detail", public_id=job.public_id)
