"""``manage.py make_briefing --wave CODE [--lang en] [--out FILE]``

Generates a new version of the wave's briefing through the same job as the office page
(so it is recorded, numbered and audited alike), runs it in this process, and copies the
PDF to ``--out`` when given. A worker that picks the job up first is waited for.
"""

from __future__ import annotations

import shutil
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from reports.models import Briefing
from reports.services import briefing_generate
from survey_platform.core.errors import SurveyError
from survey_platform.fieldwork.models import Wave
from survey_platform.jobs.models import Job, JobStatus
from survey_platform.jobs.services import job_execute

WAIT_SECONDS = 1800


class Command(BaseCommand):
    help = "Generate a wave's briefing (a new version) and optionally write the PDF to a file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--wave", required=True, help="wave code, e.g. 2026-Q4")
        parser.add_argument("--lang", default="zh-hans", choices=["zh-hans", "en"])
        parser.add_argument("--out", default="", help="copy the PDF to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        wave = Wave.objects.filter(code=options["wave"]).first()
        if wave is None:
            raise CommandError(f"No wave {options['wave']!r}.")
        try:
            job = briefing_generate(wave=wave, language=options["lang"], actor=None)
        except SurveyError as exc:
            raise CommandError(exc.message) from exc
        job.refresh_from_db()
        if job.status == JobStatus.QUEUED:
            job_execute(job_id=job.pk)
        job = self._wait(job)
        if job.status != JobStatus.DONE:
            raise CommandError(f"The briefing failed: {job.error}")
        briefing = Briefing.objects.filter(job=job).first()
        if briefing is None:
            raise CommandError("The job finished but recorded no briefing.")
        self.stdout.write(
            f"Issue {briefing.number}, version {briefing.version} ({briefing.language}): "
            f"{briefing.page_count} pages, sha256 {briefing.content_hash}"
        )
        if options["out"]:
            with briefing.pdf.open("rb") as src, open(options["out"], "wb") as dst:
                shutil.copyfileobj(src, dst)
            self.stdout.write(f"Written to {options['out']}")

    def _wait(self, job: Job) -> Job:
        deadline = time.monotonic() + WAIT_SECONDS
        while job.is_active and time.monotonic() < deadline:
            time.sleep(1)
            job.refresh_from_db()
        return job
