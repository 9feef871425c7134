"""A station's feedback report (2 pages): its completes against the quota, and the
grievances its respondents raise beside the city-wide figures.

The station's figures are weighted prevalences with the station as a domain of the wave's
full design, estimated for every station at once and published through
:func:`analysis.suppression.suppress` (primary and complementary suppression across the
stations, so no withheld cell can be recovered from the others or from the city total).
They are kept next to the dataset cache under a key of the dataset's fingerprint and the
taxonomy, so forty stations' reports classify the open answers once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import timezone

from analysis.grievances import grievance_indicators, indicator_dataset, load_taxonomy
from analysis.suppression import suppress
from analysis.table import PUBLISHED
from analysis.wavetable import wave_estimates
from survey_platform.fieldwork.dataset import wave_dataset
from survey_platform.fieldwork.grievances import wave_grievance_table
from survey_platform.fieldwork.models import FIELD_TZ, StationQuota, Wave
from survey_platform.fieldwork.monitoring import (
    completes_per_day,
    wave_station_figures,
)

from . import charts
from .content_sections import short_label
from .formatting import Numbers
from .pdf import data_uri
from .phrases import Phrases

CELLS_VERSION = 1
TOP = 6
#: The fixed wording of the report's template (no slots but k).
WORDS = (
    "sr_s_progress", "sr_s_grievances", "sr_s_notes", "sr_chart", "sr_chart2", "sr_grievances",
    "sr_small", "sr_col_grievance", "sr_col_station", "sr_col_city", "sr_notes",
)  # fmt: skip

#: {code: {station id: [n, share or None]}}
StationCells = dict[str, dict[str, list[Any]]]


def station_cells(wave: Wave) -> tuple[StationCells, int]:
    """Every station's published prevalence of every code, and the suppression k, from the
    responses released to station-level outputs (fieldwork/releases.py)."""
    ds = wave_dataset(wave, released=True)
    tax = load_taxonomy()
    k = wave_grievance_table(wave, released=True).k
    parts = [CELLS_VERSION, ds.fingerprint, tax.version, tax.fingerprint, k]
    key = hashlib.sha256(json.dumps(parts).encode()).hexdigest()
    path = _cache_path(wave)
    try:
        doc = json.loads(path.read_text("utf-8"))
        if doc.get("key") == key:
            return doc["cells"], k
    except (OSError, ValueError, KeyError):
        pass
    ind = grievance_indicators(ds, tax)
    present = [c for c in ind.codes if (ind.values[:, ind.index(c)] >= 0).any()]
    cells: StationCells = {}
    if present:
        gds = indicator_dataset(ds, ind, tax)
        pub = suppress(
            wave_estimates(gds, by=["station"], variables=present, lonely_psu="adjust"), k
        )
        for i in np.flatnonzero(pub.by == "station"):
            ok = pub.flag[i] == PUBLISHED and np.isfinite(pub.estimate[i])
            share = float(pub.estimate[i]) if ok else None
            cells.setdefault(str(pub.variable[i]), {})[str(pub.domain[i])] = [int(pub.n[i]), share]
    _write(path, {"key": key, "cells": cells})
    return cells, k


def _cache_path(wave: Wave) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", wave.code)
    return Path(settings.VAR_DIR) / "datasets" / f"{safe}-{wave.pk}.stations.released.json"


def _write(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class StationLine:
    label: str
    station: str  # "41.2%" or "—"
    city: str  # "38.5%（95%置信区间…）"
    station_share: float | None
    city_share: float | None


@dataclass(frozen=True)
class StationReport:
    language: str
    station: str
    wave: str
    wave_title: str
    issuer: str
    issued: date
    progress_text: str
    rate_text: str
    small: bool
    lines: list[StationLine]
    progress_chart: str
    grievance_chart: str
    k: int
    words: dict[str, str]


def station_report(quota: StationQuota, language: str) -> StationReport:
    ph = Phrases(language)
    num = Numbers(ph)
    wave, station = quota.wave, quota.station
    today = timezone.now().astimezone(FIELD_TZ).date()
    everyone = wave_station_figures(wave)
    mine = next(r for r in everyone if r.quota.pk == quota.pk)
    ranked = sorted(everyone, key=lambda r: -r.percent_of_target)
    rank = next(i for i, r in enumerate(ranked, 1) if r.quota.pk == quota.pk)
    city_pct = 100 * sum(r.completes for r in everyone) / max(sum(r.target for r in everyone), 1)
    progress = ph(
        "sr_progress",
        date=ph.date(today),
        completes=mine.completes,
        target=mine.target,
        pct=ph("pct", v=mine.percent_of_target),
        city_pct=ph("pct", v=city_pct),
        rank_clause=ph("sr_rank", rank=rank, count=len(everyone)),
    )
    if mine.invitations:
        rate = ph("sr_rate", invitations=mine.invitations, rate=ph("pct", v=mine.response_rate))
    else:
        rate = ph("sr_rate_none")
    # Released responses only, the city column too (fieldwork/releases.py).
    table = wave_grievance_table(wave, released=True)
    cells, k = station_cells(wave)
    lines, small = _lines(table, cells, str(station.pk), ph, num)
    days = [(d.day, d.cumulative) for d in completes_per_day(wave, station.pk)]
    words = {key: ph(key, k=k) for key in WORDS}
    words.update(series=ph("sr_title"), marking=ph("marking"), date=ph.date(today))
    return StationReport(
        language=language,
        station=station.name,
        wave=wave.code,
        wave_title=wave.title if ph.is_zh else (wave.title_en or wave.title),
        issuer=settings.ISSUING_BODY,
        issued=today,
        progress_text=progress,
        rate_text=rate,
        small=small,
        lines=lines,
        progress_chart=data_uri(charts.progress_chart(days, quota.target, ph)),
        grievance_chart=data_uri(
            charts.station_vs_city([(x.label, x.station_share, x.city_share) for x in lines], ph)
        )
        if lines
        else "",
        k=k,
        words=words,
    )


def _lines(
    table: Any, cells: StationCells, station_id: str, ph: Phrases, num: Numbers
) -> tuple[list[StationLine], bool]:
    """The station's most named grievances (or the city's, when the station's own figures
    are all withheld) with both figures side by side."""
    ranked = [r for r in table.ranked if r.prevalence is not None]
    own = {r.code: (cells.get(r.code) or {}).get(station_id, [0, None])[1] for r in ranked}
    shown = [r for r in ranked if own[r.code] is not None]
    small = not shown
    chosen = sorted(shown, key=lambda r: -(own[r.code] or 0))[:TOP] if shown else ranked[:TOP]
    out = []
    for r in chosen:
        share = own[r.code]
        city = num.pct(r.prevalence) + (
            f"（{num.ci(r.ci_l, r.ci_u)}）" if ph.is_zh else f" ({num.ci(r.ci_l, r.ci_u)})"
        )
        out.append(
            StationLine(short_label(ph.label(r.label)), num.pct(share), city, share, r.prevalence)
        )
    return out, small
