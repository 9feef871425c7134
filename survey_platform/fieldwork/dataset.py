"""The analysis dataset of a wave (``analysis.Dataset``), built once and kept in a file.

``wave_dataset(wave)`` gives the columnar dataset of the wave's analysable complete
responses (:func:`~survey_platform.fieldwork.quality.analysable_responses`: without the
quality-flagged ones when the wave excludes them); ``include_flagged=True`` takes every
complete response, ``False`` leaves the flagged ones out whatever the wave says.

Columns: one per questionnaire column (analysis' codebook), plus the design and domain
columns. Stations are the PSUs (level = station id, labelled with its name), the stratum
is the station's sector code; ``sector`` and ``region`` come from the station, ``sex``,
``title`` and ``age_group`` from the answers (analysis' rules; age in the year the wave
opens). ``weight`` is described in :mod:`.dataset_weights`. Rows are ordered by station,
then response id, so PSU totals are segmented sums.

The cache: ``VAR_DIR/datasets/<wave code>.npz`` (``<code>.all.npz`` for the set that
includes flagged responses), written atomically (temporary file + ``os.replace``, by
``analysis.save_dataset``), so a reader sees the old file or the new one, never half a
file. The file carries a fingerprint of everything the dataset is made of: per station
the count, latest ``updated_at`` (a day), the sum of revisions (raised by every edit),
largest id and the sum of ids and of squared ids of the
responses (one grouped query: a response added, edited, deleted, flagged or unflagged
changes it), the stations' frame sizes, sectors, regions and names, the margins used, the
questionnaire version, which responses are taken and :data:`LOADER_VERSION`. A request
whose fingerprint matches the file's loads the file; any other builds and replaces it.
Edits that bypass ``updated_at`` (``QuerySet.update`` of answers) are not seen; the
platform makes none. The fingerprint is read before the responses are, so a response
that arrives during a build makes the next request rebuild rather than go unnoticed.

Invalid text. This is the one place stored answers enter analysis and exports, so it is
where a response whose answers are not valid text (a NUL, a lone surrogate, a Unicode
non-character, a string longer than any answer may be: :func:`.quality.answers_ok`) is
set aside: the build flags it ``invalid_text`` (:func:`.quality.flag_invalid_text`) and
starts again without it. Such a response is never in any dataset, whatever the wave's
exclude setting, so no export, table, grievance page or briefing ever prints its text;
the quality page counts it (:func:`.quality.set_aside_count`).
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import re
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, F, Max, QuerySet, Sum
from django.utils.translation import gettext as _

import analysis as an
from analysis.design import LonelyPSU
from instruments.selectors import schema_of
from survey_platform.core.errors import Conflict
from survey_platform.network.models import Region, Sector, Station

from .dataset_weights import TRIM, WaveMargins, WeightReport, margins_for_wave, weigh
from .dataset_weights import wave_reference_year as reference_year
from .models import Response, ResponseStatus, Wave
from .quality import analysable_responses, answers_ok, flag_invalid_text, without_invalid_text

#: Bump when the way the dataset is built changes: every cached file is rebuilt.
LOADER_VERSION = 1
#: Rows per database round trip while streaming answers.
READ_CHUNK = 5000

logger = logging.getLogger(__name__)

Names = dict[str, tuple[str, str]]  # level code -> (Chinese, English) name
StationInfo = tuple[int, str, str, str]  # frame size, sector code, region code, name


class DatasetUnavailable(Conflict):
    """The wave has no dataset to analyse (no responses, or it cannot be weighted)."""


@dataclass(frozen=True)
class _State:
    """What the fingerprint is made of, read in a few small queries."""

    include_flagged: bool
    per_station: dict[int, int]
    stations: dict[int, StationInfo]
    sectors: Names  # in the sectors' display order
    regions: Names  # by division code
    margins: WaveMargins
    fingerprint: str

    @property
    def count(self) -> int:
        return sum(self.per_station.values())


class _Changed(Exception):
    """The responses changed between the fingerprint and the build."""


@dataclass
class DatasetReport:
    """The dataset and how it was obtained (for the command and diagnostics)."""

    dataset: an.Dataset
    path: Path
    built: bool
    seconds: dict[str, float] = field(default_factory=dict)
    weights: WeightReport | None = None


def wave_dataset(
    wave: Wave, *, include_flagged: bool | None = None, released: bool = False
) -> an.Dataset:
    """The wave's dataset, from the cache when it is current (see module docs).

    ``released``: only the responses released to station-level outputs (releases.py),
    what every figure a station's staff can see is computed from."""
    return load_or_build(wave, include_flagged=include_flagged, released=released).dataset


def wave_table_for(
    wave: Wave, *, include_flagged: bool | None = None, lonely_psu: LonelyPSU = "adjust"
) -> an.EstimateTable:
    """The suppressed wave table of every closed item by the standard domains.

    A sector with a single station is a stratum with one PSU; ``adjust`` (conservative:
    its PSU total is centred on zero) keeps such a wave analysable.
    """
    ds = wave_dataset(wave, include_flagged=include_flagged)
    try:
        return an.wave_table(ds, lonely_psu=lonely_psu)
    except an.AnalysisError as exc:
        raise DatasetUnavailable(exc.message.render(_)) from exc


def dataset_response_ids(
    wave: Wave, ds: an.Dataset, *, include_flagged: bool | None = None, released: bool = False
) -> np.ndarray:
    """The response id of each row of ``ds`` (the wave's dataset), in row order.

    The ids are read between two fingerprints equal to the dataset's: any response
    added, edited, deleted or (un)flagged since ``ds`` was built, or while the ids are
    read, raises DatasetUnavailable (try again) rather than misalign a row and its id.
    """
    include = (not wave.exclude_flagged) if include_flagged is None else bool(include_flagged)
    responses = _responses(wave, include, released)
    changed = DatasetUnavailable(_("The responses changed while they were read; retry."))
    if _state(wave, responses, include, released).fingerprint != ds.fingerprint:
        raise changed
    ids = np.fromiter(
        responses.order_by("station_id", "id")
        .values_list("id", flat=True)
        .iterator(chunk_size=READ_CHUNK),
        dtype=np.int64,
    )
    if ids.size != ds.n or _state(wave, responses, include, released).fingerprint != ds.fingerprint:
        raise changed
    return ids


def dataset_path(wave: Wave, include_flagged: bool, released: bool = False) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", wave.code)
    if safe != wave.code:  # keep two codes that clean up alike apart
        safe = f"{safe}-{wave.pk}"
    suffix = (".released" if released else "") + (".all.npz" if include_flagged else ".npz")
    return Path(settings.VAR_DIR) / "datasets" / f"{safe}{suffix}"


def load_or_build(
    wave: Wave,
    *,
    include_flagged: bool | None = None,
    rebuild: bool = False,
    released: bool = False,
) -> DatasetReport:
    """The dataset with how it was obtained; ``rebuild`` ignores the cache."""
    include = (not wave.exclude_flagged) if include_flagged is None else bool(include_flagged)
    path = dataset_path(wave, include, released)
    for _attempt in range(3):
        start = time.perf_counter()
        responses = _responses(wave, include, released)
        state = _state(wave, responses, include, released)
        seconds = {"fingerprint": time.perf_counter() - start}
        if state.count == 0:
            raise DatasetUnavailable(
                _("Wave %(code)s has no complete responses to analyse yet.") % {"code": wave.code}
            )
        if not rebuild and an.read_fingerprint(path) == state.fingerprint:
            start = time.perf_counter()
            try:
                ds = an.load_dataset(path, fingerprint=state.fingerprint)
            except an.AnalysisError:  # replaced or damaged meanwhile: build afresh
                pass
            else:
                seconds["load"] = time.perf_counter() - start
                return DatasetReport(ds, path, built=False, seconds=seconds)
        try:
            ds, weights = _build(wave, responses, state, seconds)
        except _Changed:
            continue
        start = time.perf_counter()
        path.parent.mkdir(parents=True, exist_ok=True)
        an.save_dataset(ds, path)
        seconds["save"] = time.perf_counter() - start
        return DatasetReport(ds, path, built=True, seconds=seconds, weights=weights)
    raise DatasetUnavailable(_("The responses kept changing while the dataset was built; retry."))


# --- fingerprint -----------------------------------------------------------------------


def _responses(wave: Wave, include_flagged: bool, released: bool = False) -> QuerySet[Response]:
    chosen = _chosen(wave, include_flagged)
    return chosen.filter(release__isnull=False) if released else chosen


def _chosen(wave: Wave, include_flagged: bool) -> QuerySet[Response]:
    if include_flagged:
        return without_invalid_text(
            Response.objects.filter(wave=wave, status=ResponseStatus.COMPLETE)
        )
    if wave.exclude_flagged:
        return analysable_responses(wave)
    return Response.objects.filter(wave=wave, status=ResponseStatus.COMPLETE, quality_flags=[])


def _state(
    wave: Wave, responses: QuerySet[Response], include_flagged: bool, released: bool = False
) -> _State:
    grouped = list(
        responses.order_by()
        .values("station_id")
        .annotate(
            n=Count("id"),
            last=Max("updated_at"),
            revisions=Sum("revision"),
            top=Max("id"),
            s1=Sum("id"),
            s2=Sum(F("id") * F("id")),
        )
        .values_list("station_id", "n", "last", "revisions", "top", "s1", "s2")
        .order_by("station_id")
    )
    per_station = {row[0]: row[1] for row in grouped}
    stations: dict[int, StationInfo] = {
        pk: (frame, sector, region, name)
        for pk, frame, sector, region, name in Station.objects.filter(
            pk__in=per_station
        ).values_list("pk", "frame_size", "sector__code", "region__code", "name")
    }
    sectors = _names(Sector.objects.filter(code__in={s[1] for s in stations.values()}))
    regions = _names(Region.objects.filter(code__in={s[2] for s in stations.values()}))
    margins = margins_for_wave(wave)
    version = wave.instrument_version
    parts = {
        "loader": LOADER_VERSION,
        "instrument": [version.pk, version.checksum or str(version.updated_at)],
        "include_flagged": include_flagged,
        "released": released,
        "reference_year": reference_year(wave),
        "responses": [[str(v) for v in row] for row in grouped],
        "stations": sorted([pk, *info] for pk, info in stations.items()),
        "names": [list(sectors.items()), list(regions.items())],
        "margins": margins.digest,
        "trim": TRIM,
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return _State(include_flagged, per_station, stations, sectors, regions, margins, digest)


def _names(levels: QuerySet[Any]) -> Names:
    """Codes and names in the model's display order (sectors by their order, regions by
    division code)."""
    return {code: (name, en) for code, name, en in levels.values_list("code", "name", "name_en")}


# --- build -----------------------------------------------------------------------------


def _build(
    wave: Wave, responses: QuerySet[Response], state: _State, seconds: dict[str, float]
) -> tuple[an.Dataset, WeightReport]:
    """Stream the answers into columns, add the design and domain columns, weigh."""
    start = time.perf_counter()
    schema = schema_of(wave.instrument_version)
    station_ids = array("q")
    invalid: list[int] = []
    rows = (
        responses.order_by("station_id", "id")
        .values_list("id", "station_id", "answers")
        .iterator(chunk_size=READ_CHUNK)
    )

    def answers() -> Iterator[dict[str, Any]]:
        for pk, station_id, doc in rows:
            station_ids.append(station_id)
            if not answers_ok(doc):
                invalid.append(pk)  # this build is thrown away (below)
                yield {}
            else:
                yield doc if isinstance(doc, dict) else {}

    def meta() -> dict[str, an.Factor]:
        return _design_columns(np.frombuffer(station_ids, dtype=np.int64), state)

    # Hundreds of thousands of short-lived answer dicts: the cyclic collector would walk
    # them again and again (~15% of the build) and finds no cycles among them.
    collecting = gc.isenabled()
    gc.disable()
    try:
        ds = an.dataset_from_answers(
            schema,
            answers(),
            meta,
            labels=_labels(state),
            reference_year=reference_year(wave),
            fingerprint=state.fingerprint,
        )
    finally:
        if collecting:
            gc.enable()
    if invalid:
        flag_invalid_text(invalid)
        logger.warning(
            "wave %s: %d responses set aside for invalid text (ids %s)",
            wave.code, len(invalid), invalid[:20],
        )  # fmt: skip
        raise _Changed  # flagged, so the next attempt's query leaves them out
    seconds["build"] = time.perf_counter() - start
    start = time.perf_counter()
    empty = sorted(info[3] for info in state.stations.values() if info[0] <= 0)
    if empty:
        raise DatasetUnavailable(
            _("Station %(station)s has no number of S&T workers: its answers cannot be weighted.")
            % {"station": empty[0]}
        )
    frame = {str(pk): float(info[0]) for pk, info in state.stations.items()}
    try:
        weights = weigh(ds, frame, state.margins)
    except an.AnalysisError as exc:
        raise DatasetUnavailable(exc.message.render(_)) from exc
    columns = {**ds.columns, "weight": weights.weights.weights}
    ds = an.Dataset(ds.codebook, columns, ds.texts, ds.fingerprint, ds.invalid)
    seconds["weights"] = time.perf_counter() - start
    return ds, weights


def _design_columns(station_ids: np.ndarray, state: _State) -> dict[str, an.Factor]:
    """Station, stratum, sector and region of every row, as factors (no string sorting)."""
    pks = sorted(state.stations)
    lookup = np.full(max(pks) + 1, -1, dtype=np.int64)
    lookup[pks] = np.arange(len(pks))
    known = station_ids <= max(pks)
    codes = np.where(known, lookup[np.where(known, station_ids, 0)], -1)
    if np.any(codes < 0):  # a station's first response arrived after the fingerprint
        raise _Changed
    out = {"station": an.Factor(codes, tuple(str(pk) for pk in pks))}
    for name, slot, names in (("sector", 1, state.sectors), ("region", 2, state.regions)):
        levels = tuple(names)
        of_station = np.array([levels.index(state.stations[pk][slot]) for pk in pks])
        out[name] = an.Factor(of_station[codes], levels)
    out["stratum"] = out["sector"]
    return out


def _labels(state: _State) -> dict[str, dict[str, dict[str, str]]]:
    def both(names: tuple[str, str]) -> dict[str, str]:
        return {"zh-hans": names[0], "en": names[1] or names[0]}

    stations = {str(pk): both((info[3], "")) for pk, info in state.stations.items()}
    sectors = {code: both(names) for code, names in state.sectors.items()}
    regions = {code: both(names) for code, names in state.regions.items()}
    return {"station": stations, "stratum": sectors, "sector": sectors, "region": regions}
