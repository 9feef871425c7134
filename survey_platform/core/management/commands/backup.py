"""python manage.py backup [--out FILE]: a consistent copy of the whole database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from survey_platform.core.audit import audit
from survey_platform.core.backup import backup
from survey_platform.core.errors import SurveyError
from survey_platform.core.models import AuditAction


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump) to a file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", help="file to write (default: var/backups/<time>.<ext>)")

    def handle(self, *args: Any, **options: Any) -> None:
        ext = "sqlite3" if connection.vendor == "sqlite" else "dump"
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        out = Path(options["out"] or Path(settings.VAR_DIR) / "backups" / f"{stamp}.{ext}")
        try:
            path = backup(out)
        except SurveyError as exc:
            raise CommandError(exc.message) from exc
        audit(
            AuditAction.EXPORT, actor=None, actor_repr="manage.py backup", data={"file": str(path)}
        )
        self.stdout.write(f"{path} ({path.stat().st_size} bytes)")
