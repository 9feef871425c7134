"""The common grievances of a wave (issue 7), Django side: dataset -> indicators -> table.

``wave_grievance_table(wave)`` runs the pure pipeline of :mod:`analysis.grievances` on the
wave's dataset (:func:`.dataset.wave_dataset`) and compares with the wave's ``previous``
wave when it has one and that wave can be analysed (a previous wave without responses
only means no change column, not an error). Host institution names of the wave's
stations are scrubbed from quotes (``units``).

The table is kept as JSON next to the dataset cache
(``VAR_DIR/datasets/<code>.grievances.json``) under a key made of the dataset's
fingerprint, the taxonomy's version and fingerprint, the host names and the previous
table's key: a page view loads the file, and anything that changes the figures (a
response, the weights, the taxonomy, the previous wave) makes a new key and a rebuild.
The file is written atomically (temporary file + ``os.replace``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

import analysis as an
from analysis.grievances import (
    GrievanceTable,
    Indicators,
    Taxonomy,
    grievance_indicators,
    grievance_table,
    indicator_dataset,
    load_taxonomy,
)
from analysis.suppression import suppress
from analysis.table import PUBLISHED
from analysis.wavetable import wave_estimates
from survey_platform.network.models import Station

from .dataset import DatasetUnavailable, dataset_path, wave_dataset
from .models import Wave

#: Bump when the way the table is computed here changes: every cached table is rebuilt.
TABLE_VERSION = 1

#: Per sector: {"levels": [{"code", "label"}], "cells": {code: {sector: [n, share|None]}}}
#: with shares blank where the small-cell rules suppress them.
SectorCells = dict[str, Any]


@dataclass(frozen=True)
class GrievanceReport:
    """The table and the grievance x sector prevalences (for the heat map)."""

    table: GrievanceTable
    sectors: SectorCells = field(default_factory=dict)


def wave_grievance_table(
    wave: Wave, *, taxonomy: Taxonomy | None = None, released: bool = False
) -> GrievanceTable:
    """The wave's grievance table, from the cache when it is current (see module docs).

    ``released``: from the responses released to station-level outputs only (releases.py).
    Raises :class:`~.dataset.DatasetUnavailable` (translated) when the wave cannot be
    analysed: no complete responses, no weights, too few respondents for the design.
    """
    return wave_grievance_report(wave, taxonomy=taxonomy, released=released).table


def wave_grievance_report(
    wave: Wave, *, taxonomy: Taxonomy | None = None, released: bool = False
) -> GrievanceReport:
    """The table with the suppressed grievance x sector prevalences."""
    tax = taxonomy or load_taxonomy()
    previous = _previous_table(wave, tax)
    report, _key = _table(wave, tax, previous, released)
    return report


def _previous_table(wave: Wave, tax: Taxonomy) -> tuple[GrievanceTable, str] | None:
    """The previous wave's table (without its own comparison: only its prevalences and
    standard errors are used), or None when there is none or it cannot be analysed."""
    prev = wave.previous
    if prev is None or prev.pk == wave.pk:
        return None
    try:
        report, key = _table(prev, tax, None)
    except DatasetUnavailable:
        return None
    return report.table, key


def wave_unit_names(wave: Wave) -> tuple[str, ...]:
    """Names of the wave's stations and host institutions (two characters or more), which
    the scrubber masks in open answers: briefings and exports mask the same list."""
    names = Station.objects.filter(quotas__wave=wave).values_list("host_institution", "name")
    return tuple(sorted({n for pair in names for n in pair if n and len(n) >= 2}))


def cache_path(wave: Wave, compared: bool, released: bool = False) -> Path:
    base = dataset_path(wave, include_flagged=False, released=released)
    stem = base.name.removesuffix(".npz")
    suffix = ".grievances.json" if compared else ".grievances-alone.json"
    return base.with_name(stem + suffix)


def _table(
    wave: Wave, tax: Taxonomy, previous: tuple[GrievanceTable, str] | None, released: bool = False
) -> tuple[GrievanceReport, str]:
    ds = wave_dataset(wave, released=released)
    units = list(wave_unit_names(wave))
    parts: dict[str, Any] = {
        "version": TABLE_VERSION,
        "dataset": ds.fingerprint,
        "taxonomy": [tax.version, tax.fingerprint],
        "units": units,
        "previous": previous[1] if previous else None,
    }
    key = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    compared = wave.previous_id is not None and previous is not None
    path = cache_path(wave, compared=compared, released=released)
    cached = _read(path, key)
    if cached is not None:
        return cached, key
    try:
        ind = grievance_indicators(ds, tax)
        table = grievance_table(
            ds,
            ind,
            taxonomy=tax,
            previous=previous[0] if previous else None,
            wave=wave.code,
            units=units,
            lonely_psu="adjust",
        )
        sectors = _sector_cells(ds, ind, tax, table.k)
    except an.AnalysisError as exc:
        raise DatasetUnavailable(
            _("The grievances of wave %(code)s cannot be estimated: %(reason)s")
            % {"code": wave.code, "reason": exc.message.render(_)}
        ) from exc
    report = GrievanceReport(table, sectors)
    _write(path, key, report)
    return report, key


def _sector_cells(ds: an.Dataset, ind: Indicators, tax: Taxonomy, k: int) -> SectorCells:
    """Weighted prevalence of every code by sector, through the wave-table engine and the
    small-cell rules (a blank share is suppressed, never a raw figure)."""
    if "sector" not in ds.columns:
        return {}
    present = [c for c in ind.codes if (ind.values[:, ind.index(c)] >= 0).any()]
    if not present:
        return {}
    gds = indicator_dataset(ds, ind, tax)
    raw = wave_estimates(gds, by=["sector"], variables=present, lonely_psu="adjust")
    pub = suppress(raw, k)
    var = ds.codebook.get("sector")
    levels = [{"code": lv.code, "label": dict(lv.labels)} for lv in var.levels] if var else []
    cells: dict[str, dict[str, list[Any]]] = {}
    for i in np.flatnonzero(pub.by == "sector"):
        share = float(pub.estimate[i]) if pub.flag[i] == PUBLISHED else None
        if share is not None and not np.isfinite(share):
            share = None
        cells.setdefault(str(pub.variable[i]), {})[str(pub.domain[i])] = [int(pub.n[i]), share]
    return {"levels": levels, "cells": cells}


def _read(path: Path, key: str) -> GrievanceReport | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("key") != key:
            return None
        return GrievanceReport(GrievanceTable.from_dict(doc["table"]), doc.get("sectors") or {})
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent, damaged or of an older shape: rebuild


def _write(path: Path, key: str, report: GrievanceReport) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"key": key, "table": report.table.to_dict(), "sectors": report.sectors}
    text = json.dumps(doc, ensure_ascii=False)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
