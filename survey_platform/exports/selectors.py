"""Reads for exports: the wave's dataset with each row's opaque id, the export table of a
wave for an audience, and the recent export jobs a user may see."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

import analysis as an
from instruments.selectors import schema_of
from survey_platform.fieldwork.dataset import (
    DatasetUnavailable,
    dataset_response_ids,
    wave_dataset,
)
from survey_platform.fieldwork.dataset_weights import wave_reference_year
from survey_platform.fieldwork.grievances import wave_unit_names
from survey_platform.fieldwork.models import Wave
from survey_platform.fieldwork.quality import set_aside_count
from survey_platform.jobs.models import Job, JobKind
from survey_platform.jobs.selectors import jobs_for_user
from survey_platform.network.models import Station

from .table import Audience, ExportOptions, ExportTable, export_table
from .table import opaque_ids as table_opaque_ids

#: Tries to read the dataset and its ids while responses keep arriving.
ATTEMPTS = 3
RECENT_JOBS = 20


def opaque_ids(wave: Wave, pks: Sequence[int] | np.ndarray) -> np.ndarray:
    """An id per response of ``wave`` for one export (:func:`.table.opaque_ids`) under a
    key drawn afresh for every export: it leads to no answer code, name, e-mail, address or
    database id, and the same response has another id in the next file, so two exports
    cannot be matched row by row (differencing). Rows are ordered by these ids within a
    station, so their order is random too."""
    del wave  # the key is random; the wave is named for the reader of a call
    return table_opaque_ids(secrets.token_bytes(32), pks)


def dataset_with_ids(
    wave: Wave, include_flagged: bool | None, released: bool = False
) -> tuple[an.Dataset, np.ndarray]:
    """The wave's dataset and the opaque id of each of its rows; ``released``: only the
    responses released to station-level outputs (fieldwork/releases.py)."""
    for attempt in range(ATTEMPTS):
        ds = wave_dataset(wave, include_flagged=include_flagged, released=released)
        try:
            pks = dataset_response_ids(wave, ds, include_flagged=include_flagged, released=released)
        except DatasetUnavailable:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        return ds, opaque_ids(wave, pks)
    raise AssertionError("unreachable")


def empty_dataset(wave: Wave) -> an.Dataset:
    """The wave's columns without rows: a codebook before any response has arrived
    (design levels are then unknown)."""
    return an.dataset_from_answers(
        schema_of(wave.instrument_version),
        [],
        {"station": np.array([], dtype=str)},
        reference_year=wave_reference_year(wave),
    )


def station_rows(ds: an.Dataset, station: Station) -> np.ndarray:
    """Row indices of one station's responses."""
    levels = ds.codebook["station"].level_codes
    key = str(station.pk)
    if key not in levels:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.asarray(ds.columns["station"]) == levels.index(key))


def wave_export_table(
    *,
    wave: Wave,
    ds: an.Dataset,
    ids: np.ndarray,
    audience: Audience,
    language: str,
    rows: np.ndarray | None,
) -> ExportTable:
    """The export table of ``ds`` (labels translated in the active language)."""
    title = wave.title_en if language == "en" and wave.title_en else wave.title
    options = ExportOptions(
        language=language,
        audience=audience,
        scrub_units=wave_unit_names(wave) if audience == "office" else (),
        rows=rows,
        translate=_,
        title=f"{wave.code} {title}",
    )
    return export_table(ds, ids, options)


def about_lines(wave: Wave, station: Station | None) -> dict[str, str]:
    lines = {
        _("Wave"): f"{wave.code} {wave.title}",
        _("Generated"): timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }
    if station is not None:
        lines[_("Station")] = station.name
    set_aside = set_aside_count(wave, station.pk if station is not None else None)
    if set_aside:
        # Said in the file itself: the rows are not there, and the reader should know why.
        lines[_("Set aside (invalid text)")] = _(
            "%(n)d complete responses whose answers are not valid text; see the data quality page."
        ) % {"n": set_aside}
    return lines


def export_jobs(*, user: Any, wave: Wave, station: Station | None = None) -> QuerySet[Job]:
    """The latest export jobs of ``wave`` the user may see (one station's when given)."""
    jobs = jobs_for_user(user=user, kind=JobKind.EXPORT).filter(wave=wave)
    if station is not None:
        jobs = jobs.filter(station=station)
    return jobs[:RECENT_JOBS]
