"""Background jobs (survey_platform.jobs), whatever their kind: status and download.

Jobs are fetched through ``Job.objects.for_user``: the office reaches every job, station
staff their own stations' jobs (others 404), leadership none (403).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from survey_platform.core.errors import Conflict
from survey_platform.core.permissions import signed_in
from survey_platform.fieldwork.models import Wave
from survey_platform.jobs import services
from survey_platform.jobs.models import Job, JobStatus

from .base import documented, documented_reads, example, no_body, path_example
from .parsers import BODYLESS
from .permissions import StationWork

#: What a job's file is served as; anything else goes out as application/octet-stream.
FILE_TYPES = (
    "application/pdf",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/zip",
    "application/octet-stream",
)


class JobOut(serializers.ModelSerializer[Job]):
    id = serializers.UUIDField(source="public_id")
    stage = serializers.SerializerMethodField(help_text="What the job is doing (translated)")
    wave: serializers.SlugRelatedField[Wave] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "progress", "stage", "error", "params", "wave",
                  "station", "created_at", "started_at", "finished_at", "result_name",
                  "result_type", "result_size", "result_sha256", "download_url"]  # fmt: skip

    def get_stage(self, job: Job) -> str:
        return _(job.stage) if job.stage else ""

    def get_download_url(self, job: Job) -> str | None:
        if job.status != JobStatus.DONE or not job.result:
            return None
        return reverse("api:job-download", args=[job.public_id])


JOB_EXAMPLE = {
    "id": "3f6c1e52-8c1a-4d0e-a5f4-8e0d51b8f2a1", "kind": "export", "status": "done",
    "progress": 100, "stage": "Done", "error": "", "params": {"format": "sav"},
    "wave": "2026-Q4", "station": None, "created_at": "2026-11-02T09:00:00+08:00",
    "started_at": "2026-11-02T09:00:01+08:00", "finished_at": "2026-11-02T09:00:20+08:00",
    "result_name": "2026-Q4.sav", "result_type": "application/octet-stream",
    "result_size": 5242880, "result_sha256": "9f2c…",
    "download_url": "/api/v1/jobs/3f6c1e52-8c1a-4d0e-a5f4-8e0d51b8f2a1/download/",
}  # fmt: skip
#: A job just queued: what the endpoints that start a job reply (201).
QUEUED_JOB_EXAMPLE = {**JOB_EXAMPLE, "status": "queued", "progress": 0, "download_url": None}


@documented_reads(
    JOB_EXAMPLE,
    list_summary="List jobs",
    list_description="Background jobs (briefings, station reports, exports) the user may "
    "see, newest first. Filter by `kind` or `status`.",
    list_example="jobs",
    retrieve_summary="Job status",
    retrieve_description="Status, progress (0–100) and stage of a job; poll it until `done` "
    "(then `download_url` is set) or `failed` (then `error` says why).",
    retrieve_example="done",
)
class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Job]):
    permission_classes = [StationWork]
    serializer_class = JobOut
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filterset_fields = ["kind", "status"]

    def get_queryset(self) -> QuerySet[Job]:
        return Job.objects.for_user(self.request.user).select_related("wave")

    @documented(
        summary="Download a job's file",
        description="The finished file (audited). 409 while the job has no file.",
        responses={
            **{(200, media): OpenApiResponse(OpenApiTypes.BINARY) for media in FILE_TYPES},
        },
        parameters=[path_example("id", "3f6c1e52-8c1a-4d0e-a5f4-8e0d51b8f2a1", "Job id")],
        examples=[],
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def download(self, request: Request, id: str | None = None) -> Any:
        job = self.get_object()
        if job.status != JobStatus.DONE or not job.result:
            raise Conflict(_("This job has no file to download."))
        services.job_mark_downloaded(job=job, actor=signed_in(request), request=request._request)
        media = job.result_type if job.result_type in FILE_TYPES else "application/octet-stream"
        return FileResponse(
            job.result.open("rb"), as_attachment=True, filename=job.result_name, content_type=media
        )

    @documented(
        summary="Retry a failed job",
        description="Queues a new job with the same parameters (201); only a failed job "
        "can be retried (409 otherwise).",
        request=None,
        responses={201: JobOut},
        examples=[example("queued", QUEUED_JOB_EXAMPLE, status=201)],
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None,
            parser_classes=BODYLESS)  # fmt: skip
    def retry(self, request: Request, id: str | None = None) -> Response:
        job = self.get_object()
        no_body(request)
        new = services.job_retry(job=job, actor=signed_in(request))
        return Response(JobOut(new).data, status=201)
