"""The background job that writes a data export (kind ``export``).

Params (set by :func:`.services.export_start`): ``format`` (csv, xlsx, sav, dta,
codebook), ``language`` of the labels (zh-hans, en), ``include_flagged`` (None = the
wave's rule) and ``station`` (the id of the one station whose rows are exported, or None).
The permission rules are checked again here with the job's requester, so a job retried
or run after the office withdrew the stations' permission is refused.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from instruments.selectors import schema_of
from survey_platform.core.errors import Conflict, PermissionDenied
from survey_platform.fieldwork.dataset import DatasetUnavailable
from survey_platform.jobs.models import Job
from survey_platform.jobs.registry import JobOutput, Progress, handler

from . import selectors, services
from .codebook import write_codebook
from .writers import FORMATS, write

CODEBOOK_TYPE = FORMATS["xlsx"].content_type
STAGES = {
    "csv": gettext_noop("Writing the CSV file"),
    "xlsx": gettext_noop("Writing the Excel workbook"),
    "sav": gettext_noop("Writing the SPSS file"),
    "dta": gettext_noop("Writing the Stata file"),
}


@handler("export")
def run_export(job: Job, progress: Progress) -> JobOutput:
    params = job.params
    fmt, language = params.get("format", ""), params.get("language", "zh-hans")
    with translation.override(language if language in services.LANGUAGES else "zh-hans"):
        return _run(job, fmt, language, params.get("include_flagged"), progress)


def _run(
    job: Job, fmt: str, language: str, include_flagged: bool | None, progress: Progress
) -> JobOutput:
    wave, station, actor = job.wave, job.station, job.created_by
    if wave is None or actor is None or fmt not in services.FORMATS:
        raise PermissionDenied(_("This export has no wave, format or requester."))
    services.export_authorize(
        actor=actor, wave=wave, station=station, include_flagged=include_flagged
    )
    audience = services.audience_of(actor)
    progress(5, gettext_noop("Loading the wave's data"))
    try:
        # Station staff see released responses only (fieldwork/releases.py).
        ds, ids = selectors.dataset_with_ids(wave, include_flagged, released=audience == "station")
    except DatasetUnavailable:
        if fmt != "codebook":
            raise
        ds = selectors.empty_dataset(wave)
        ids = selectors.opaque_ids(wave, [])
    rows = selectors.station_rows(ds, station) if station is not None else None
    if fmt != "codebook":
        n = ds.n if rows is None else int(rows.size)
        if n == 0:
            raise Conflict(_("There are no complete responses to export in this selection."))
        services.check_station_rows(actor, station, n)
    progress(25, gettext_noop("Preparing the columns"))
    table = selectors.wave_export_table(
        wave=wave, ds=ds, ids=ids, audience=audience, language=language, rows=rows
    )
    del ds
    name = _filename(wave.code, station.pk if station is not None else None, fmt, language)
    path = _temporary(Path(name).suffix)
    try:
        if fmt == "codebook":
            progress(60, gettext_noop("Writing the codebook"))
            write_codebook(
                table,
                schema_of(wave.instrument_version),
                path,
                about=selectors.about_lines(wave, station),
                translate=_,
            )
            return JobOutput(filename=name, content_type=CODEBOOK_TYPE, path=path)
        stage = STAGES[fmt]
        progress(40, stage)
        write(fmt, table, path, lambda done: progress(40 + int(55 * done), stage))
        return JobOutput(filename=name, content_type=FORMATS[fmt].content_type, path=path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _filename(code: str, station_id: int | None, fmt: str, language: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", code)
    scope = f"_station{station_id}" if station_id is not None else ""
    lang = "en" if language == "en" else "zh"
    if fmt == "codebook":
        return f"{safe}{scope}_codebook_{lang}.xlsx"
    return f"{safe}{scope}_{lang}.{FORMATS[fmt].extension}"


def _temporary(suffix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix="export-", suffix=suffix)
    os.close(fd)
    return Path(name)
