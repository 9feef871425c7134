"""The demo's first issued briefing, so the leadership portal is not empty on day one.

Made through the platform's own path — the briefing job, the office's approval and the
delivery task — for the demo wave (compared with the previous comprehensive wave). The
delivery e-mail of the demo goes to a local in-memory mailbox, not to the console.
"""

from __future__ import annotations

from typing import Any

from django.test.utils import override_settings

from reports.models import Briefing
from reports.services import briefing_approve, briefing_deliver, briefing_generate
from reports.tasks import deliver_briefing
from survey_platform.fieldwork.models import Wave
from survey_platform.jobs.models import JobStatus
from survey_platform.jobs.services import job_execute

from .fieldwork import DEMO_WAVE

DEMO_RECIPIENTS = ["leader@kexie.example.cn"]
_NOWHERE = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def seed_briefing(office: Any, base_url: str = "") -> int:
    """Generate, approve and deliver the demo briefing unless one exists. Returns 1 or 0."""
    if Briefing.objects.exists():
        return 0
    wave = Wave.objects.get(code=DEMO_WAVE)
    job = briefing_generate(wave=wave, language="zh-hans", actor=office)
    job.refresh_from_db()
    if job.status == JobStatus.QUEUED:
        job_execute(job_id=job.pk)  # here, so the demo does not wait for a worker
    job.refresh_from_db()
    if job.status != JobStatus.DONE:
        raise RuntimeError(f"the demo briefing failed: {job.error}")
    briefing = briefing_approve(briefing=Briefing.objects.get(job=job), actor=office)
    briefing_deliver(briefing=briefing, actor=office, recipients=DEMO_RECIPIENTS, base_url=base_url)
    with override_settings(MAILERS=_NOWHERE):
        # A worker may have taken the queued delivery first; then this call does nothing.
        deliver_briefing.call(briefing.pk, base_url or "http://127.0.0.1:8000", office.pk)
    return 1
