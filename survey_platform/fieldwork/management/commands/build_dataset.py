from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

import analysis as an
from survey_platform.fieldwork.dataset import DatasetUnavailable, load_or_build
from survey_platform.fieldwork.models import Wave


class Command(BaseCommand):
    help = (
        "Build (or check) the cached analysis dataset of one wave and print its counts, "
        "timings and weight diagnostics. Without --rebuild a current cache is only loaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wave", required=True, metavar="CODE", help="wave code, e.g. 2026-Q4")
        parser.add_argument(
            "--include-flagged",
            action="store_true",
            help="take every complete response, quality-flagged ones included",
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="build even when the cache is current"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wave = (
            Wave.objects.select_related("instrument_version").filter(code=options["wave"]).first()
        )
        if wave is None:
            raise CommandError(
                _("There is no wave with the code “%(code)s”.") % {"code": options["wave"]}
            )
        include = True if options["include_flagged"] else None
        try:
            report = load_or_build(wave, include_flagged=include, rebuild=options["rebuild"])
        except DatasetUnavailable as exc:
            raise CommandError(exc.message) from exc
        ds = report.dataset
        write = self.stdout.write
        write(
            _("Wave %(wave)s: %(rows)d responses from %(stations)d stations, %(columns)d columns.")
            % {
                "wave": wave.code,
                "rows": ds.n,
                "stations": ds.factor("station").n_levels,
                "columns": len(ds.codebook.items()),
            }
        )
        if ds.invalid:
            write(
                _("Values outside the questionnaire, left blank: %(counts)s")
                % {"counts": ", ".join(f"{k} {v}" for k, v in sorted(ds.invalid.items()))}
            )
        action = _("built") if report.built else _("loaded from the cache")
        write(_("Dataset %(action)s: %(path)s") % {"action": action, "path": report.path})
        write(
            _("Seconds: %(timings)s")
            % {"timings": ", ".join(f"{k} {v:.2f}" for k, v in report.seconds.items())}
        )
        self._weights(report, ds)

    def _weights(self, report: Any, ds: an.Dataset) -> None:
        write = self.stdout.write
        rows = [(_("final weights"), an.weight_diagnostics(ds.weights))]
        info = report.weights
        if info is not None:
            rows.insert(0, (_("base weights"), info.weights.base_diagnostics))
            if info.margins.year is None:
                write(_("No population margins up to this year: base weights only."))
            else:
                write(
                    _("Raked to the %(year)s margins of: %(dims)s.")
                    % {"year": info.margins.year, "dims": ", ".join(info.raked) or "-"}
                )
                write(
                    _(
                        "Raking: %(cycles)d cycles, converged: %(converged)s, %(trimmed)d "
                        "weights trimmed, largest margin misfit %(misfit).2e."
                    )
                    % {
                        "cycles": info.weights.cycles,
                        "converged": _("yes") if info.weights.converged else _("no"),
                        "trimmed": info.weights.trimmed,
                        "misfit": info.weights.margin_error,
                    }
                )
            if info.skipped:
                write(
                    _("Not asked by this questionnaire, so not raked: %(dims)s.")
                    % {"dims": ", ".join(info.skipped)}
                )
            for dim, count in info.imputed.items():
                write(
                    _(
                        "%(count)d respondents without a valid %(dim)s were weighted in "
                        "their station's most common level."
                    )
                    % {"count": count, "dim": dim}
                )
        for label, d in rows:
            write(
                _(
                    "%(label)s: sum %(sum).0f, min %(min).3g, max %(max).3g, mean %(mean).3g, "
                    "CV %(cv).3f, Kish deff %(deff).3f"
                )
                % {
                    "label": label,
                    "sum": d.sum,
                    "min": d.min,
                    "max": d.max,
                    "mean": d.mean,
                    "cv": d.cv,
                    "deff": d.kish_deff,
                }
            )
