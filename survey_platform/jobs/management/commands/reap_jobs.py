"""Re-queue (once) or fail running jobs whose worker stopped sending heartbeats.

Run it periodically (cron or a systemd timer) in deployments with separate workers.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from survey_platform.jobs.services import jobs_reap_stale


class Command(BaseCommand):
    help = "Re-queue or fail background jobs whose worker stopped responding."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = jobs_reap_stale()
        self.stdout.write(f"requeued={counts['requeued']} failed={counts['failed']}")
