"""Job pages: status with live progress, the status as JSON for polling, download, retry.

Every lookup goes through ``Job.objects.for_user`` (selectors.job_for_user): office admins
reach every job, station staff only their own stations' jobs, everyone else gets 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from survey_platform.core.errors import NotFound, SurveyError
from survey_platform.core.permissions import signed_in

from . import services
from .models import Job, JobKind, JobStatus
from .selectors import job_for_user


def _job(request: HttpRequest, public_id: UUID) -> Job:
    try:
        return job_for_user(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def job_status_payload(job: Job) -> dict[str, Any]:
    from django.urls import reverse

    return {
        "id": str(job.public_id),
        "kind": job.kind,
        "status": job.status,
        "status_display": job.get_status_display(),
        "progress": job.progress,
        "stage": _(job.stage) if job.stage else "",
        "error": job.error,
        "download_url": (
            reverse("job-download", args=[job.public_id])
            if job.status == JobStatus.DONE and job.result
            else None
        ),
    }


class JobDetailView(LoginRequiredMixin, TemplateView):
    template_name = "jobs/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        job = _job(self.request, kwargs["public_id"])
        return super().get_context_data(
            job=job, payload=job_status_payload(job), review_url=_review_url(job), **kwargs
        )


def _review_url(job: Job) -> str | None:
    """Where the office reviews what a finished briefing job made (preview, approve)."""
    if job.kind != JobKind.BRIEFING or job.status != JobStatus.DONE:
        return None
    from django.urls import reverse

    from reports.models import Briefing

    briefing = Briefing.objects.filter(job=job).only("pk").first()
    return reverse("reports:detail", args=[briefing.pk]) if briefing else None


class JobStatusView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, public_id: UUID) -> JsonResponse:
        return JsonResponse(job_status_payload(_job(request, public_id)))


class JobDownloadView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, public_id: UUID) -> HttpResponseBase:
        job = _job(request, public_id)
        if job.status != JobStatus.DONE or not job.result:
            raise Http404(_("This job has no file to download."))
        services.job_mark_downloaded(job=job, actor=signed_in(request), request=request)
        return FileResponse(
            job.result.open("rb"),
            as_attachment=True,
            filename=job.result_name,
            content_type=job.result_type or "application/octet-stream",
        )


class JobRetryView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, public_id: UUID) -> HttpResponse:
        job = _job(request, public_id)
        try:
            new = services.job_retry(job=job, actor=signed_in(request))
        except SurveyError as exc:
            messages.error(request, exc.message)
            return redirect("job-detail", public_id=job.public_id)
        messages.success(request, _("The job was queued again."))
        return redirect("job-detail", public_id=new.public_id)
