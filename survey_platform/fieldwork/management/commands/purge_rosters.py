"""Delete roster contact data of waves closed longer than their purge delay (cron: daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from survey_platform.fieldwork.invitations import rosters_purge


class Command(BaseCommand):
    help = (
        "Blank the names, e-mail addresses, phone numbers, titles and age groups of the "
        "invitations of every wave closed more than its purge delay ago, and expire its "
        "unanswered codes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only list what would be purged."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        reports = rosters_purge(dry_run=dry_run)
        if not reports:
            self.stdout.write("No wave is due for purging.")
            return
        verb = "Would purge" if dry_run else "Purged"
        for report in reports:
            self.stdout.write(
                f"{verb} wave {report.wave}: contact data of {report.invitations} invitations, "
                f"{report.expired} unanswered codes expired."
            )
        if not dry_run:
            self.stdout.write(self.style.SUCCESS(f"{len(reports)} wave(s) purged."))
