"""python manage.py restore FILE [--yes]: replace the database with a backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from survey_platform.core.audit import audit
from survey_platform.core.backup import restore
from survey_platform.core.errors import SurveyError
from survey_platform.core.models import AuditAction


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by `manage.py backup`."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not options["yes"]:
            answer = input(f"Replace the whole database with {path}? Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing changed.")
        try:
            restore(path)
        except SurveyError as exc:
            raise CommandError(exc.message) from exc
        audit(
            AuditAction.UPDATE, actor=None, actor_repr="manage.py restore", data={"file": str(path)}
        )
        self.stdout.write(f"restored {path}")
