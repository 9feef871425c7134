from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from survey_platform.fieldwork.models import Wave
from survey_platform.fieldwork.quality import wave_flag_quality


class Command(BaseCommand):
    help = (
        "Compute the data quality flags (speeder, straightliner, duplicate) of the "
        "complete responses of one wave. Safe to repeat: only changed flags are written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wave", required=True, metavar="CODE", help="wave code, e.g. 2026-Q4")

    def handle(self, *args: Any, **options: Any) -> None:
        wave = (
            Wave.objects.select_related("instrument_version").filter(code=options["wave"]).first()
        )
        if wave is None:
            raise CommandError(
                _("There is no wave with the code “%(code)s”.") % {"code": options["wave"]}
            )
        summary = wave_flag_quality(wave=wave)
        self.stdout.write(
            _(
                "Wave %(wave)s: %(completes)d complete responses, %(flagged)d flagged "
                "(%(counts)s); %(changed)d changed."
            )
            % {
                "wave": summary.wave_code,
                "completes": summary.completes,
                "flagged": summary.flagged,
                "counts": ", ".join(f"{flag} {n}" for flag, n in summary.counts.items()),
                "changed": summary.changed,
            }
        )
