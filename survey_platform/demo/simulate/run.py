"""Simulate one wave end to end: population → answers → sample → database → truth."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

import numpy as np
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from instruments.schema import Instrument as Schema
from instruments.selectors import schema_of
from instruments.standard import load_standard
from survey_platform.fieldwork.models import Response, StationQuota, Wave, field_day_start
from survey_platform.fieldwork.quality import wave_flag_quality
from survey_platform.fieldwork.releases import releases_catch_up

from .answers import generate_standard
from .columns import Column
from .model import BASELINE, Draw, Scenario, calibration
from .open_text import Plans
from .population import Population, StationFrame, build_population, stable_seed
from .sample import Drawn, SimulationConfig, build, choose, plan_open_answers
from .timing import submission_times, to_datetimes
from .truth import compute_truth, write_ground_truth
from .writer import RESPONSE_COLUMNS, Progress, insert_rows, submission_ids, template_response


class SimulationError(ValueError):
    """The wave cannot be simulated as asked (no quotas, responses present, …)."""


@dataclass(frozen=True)
class StationPlan:
    """What one station's fieldwork produced: completes, partials, how late it started."""

    completes: int
    partials: int = 0
    lag: float = 0.0  # share of the fieldwork period before the station got going


@dataclass
class SimulationResult:
    wave_code: str
    responses: int
    completes: int
    seconds: float
    truth_path: str
    counts: dict[str, int] = field(default_factory=dict)
    quality: dict[str, int] = field(default_factory=dict)


def allocate(total: int, weights: Mapping[int, float]) -> dict[int, int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder; exact sum)."""
    keys = sorted(weights)
    w = np.array([max(float(weights[k]), 0.0) for k in keys])
    if total <= 0 or not keys or w.sum() <= 0:
        return dict.fromkeys(keys, 0)
    raw = total * w / w.sum()
    parts = np.floor(raw).astype(np.int64)
    for i in np.argsort(-(raw - parts))[: total - int(parts.sum())]:
        parts[i] += 1
    return {k: int(v) for k, v in zip(keys, parts, strict=True)}


def plan_by_quota(
    wave: Wave,
    responses: int,
    config: SimulationConfig,
    proportional: bool = False,
) -> dict[int, StationPlan]:
    """``responses`` rows over the wave's quotas, in proportion to their targets (or to
    the stations' frame sizes when ``proportional``: a self-weighting sample)."""
    quotas = list(wave.quotas.select_related("station"))
    if not quotas:
        raise SimulationError(f"Wave {wave.code} has no station quotas.")
    weights = {
        q.station_id: float(q.station.frame_size if proportional else q.target) for q in quotas
    }
    weights = {k: v for k, v in weights.items() if v > 0}
    partials = allocate(round(responses * config.partial_share), weights)
    completes = allocate(responses - sum(partials.values()), weights)
    return {k: StationPlan(completes[k], partials[k]) for k in weights}


def is_modelled(schema: Schema) -> bool:
    """Whether every item of ``schema`` is a standard item the model knows, unchanged
    (same type, options, rows and conditions): the standard and the quick survey are."""
    standard = load_standard()
    for item in schema.items:
        if item.type.value == "note":
            continue
        known = standard.item(item.code)
        rows = [row.code for row in item.rows]
        if known is None or known.type != item.type or rows != [r.code for r in known.rows]:
            return False
        if standard.choice_options(known) != schema.choice_options(item):
            return False
        conditions = [g.relevance for g in schema.ancestors(item.group) if g.relevance]
        expected = [g.relevance for g in standard.ancestors(known.group) if g.relevance]
        if item.relevance != known.relevance or conditions != expected:
            return False
    return True


def _frames(wave: Wave, plan: Mapping[int, StationPlan]) -> list[StationFrame]:
    quotas = wave.quotas.select_related("station__sector", "station__region").order_by("station_id")
    return [
        StationFrame(q.station.name, q.station.sector.code, q.station.region.code,
                     q.station.frame_size, q.station_id)
        for q in quotas
        if q.station_id in plan and q.station.frame_size > 0
    ]  # fmt: skip


def _planned(plan: Mapping[int, StationPlan], frame: StationFrame) -> StationPlan:
    """The plan of one of ``_frames``' frames (each made from a quota, so with a station)."""
    assert frame.station_id is not None
    return plan[frame.station_id]


def _window(wave: Wave, now: datetime | None) -> tuple[datetime, datetime]:
    end = min(wave.closes_at, now or timezone.now())
    if end <= wave.opens_at:
        raise SimulationError(f"Wave {wave.code} has no fieldwork time before now.")
    return wave.opens_at, end


def simulate_wave(
    wave: Wave,
    plan: Mapping[int, StationPlan],
    *,
    seed: int,
    scenario: Scenario = BASELINE,
    config: SimulationConfig | None = None,
    flag_quality: bool = True,
    raise_targets: bool = False,
    now: datetime | None = None,
    progress: TextIO | None = None,
    log: Callable[[str], None] | None = None,
) -> SimulationResult:
    """Fill ``wave`` with simulated responses per ``plan`` (station id → StationPlan).

    Answers are submitted between the wave's opening and its closing or ``now``
    (default: the current time), whichever is earlier: an open wave simulated twice with
    the same seed at different times differs only in answers that would otherwise lie in
    the future.
    """
    started = time.perf_counter()
    config = config or SimulationConfig()
    say = log or (lambda _text: None)
    if Response.objects.filter(wave=wave).exists():
        raise SimulationError(f"Wave {wave.code} already has responses.")
    schema = schema_of(wave.instrument_version)
    if not is_modelled(schema):
        raise SimulationError(
            f"Wave {wave.code} uses a questionnaire the simulator does not model; "
            "only the standard questionnaire and the quick survey (or subsets of them "
            "with unchanged items) can be simulated."
        )
    frames = _frames(wave, plan)
    wanted = [_planned(plan, f).completes + _planned(plan, f).partials for f in frames]
    copies = {
        i: math.ceil(n / (config.max_sampling_fraction * f.frame_size))
        for i, (f, n) in enumerate(zip(frames, wanted, strict=True))
        if n > config.max_sampling_fraction * f.frame_size
    }
    rng = np.random.default_rng([seed, stable_seed(wave.code)])
    pop = build_population(frames, copies)
    year = timezone.localtime(wave.opens_at).year
    draw = Draw(pop, rng, scenario, calibration(generate_standard))
    cols = generate_standard(draw, year)
    plans = plan_open_answers(rng, cols, pop.size, config)
    say(f"population {pop.size} ({sum(f.frame_size for f in frames)} real)")
    rows = choose(rng, pop, wanted, config.response_bias)
    drawn = _draw_sample(rng, schema, pop, cols, plans, rows, frames, plan, config)
    start, end = _window(wave, now)
    group = pop.station[rows]
    lags = [_planned(plan, f).lag for f in frames]
    when = submission_times(rng, group, lags, start, end, drawn.duration)
    bar = Progress(len(rows), f"simulate {wave.code}", progress) if progress else None
    with transaction.atomic():
        _insert(wave, pop, drawn, when, seed, bar)
        _update_quotas(wave, frames, pop, drawn, raise_targets)
        releases_catch_up(wave)  # as the form releases them (fieldwork/releases.py)
    if bar is not None:
        bar.close()
    quality = wave_flag_quality(wave=wave).counts if flag_quality else {}
    truth = compute_truth(pop, cols, schema, plans)
    truth.update(
        wave=wave.code,
        seed=seed,
        year=year,
        instrument=schema.id,
        scenario=scenario.as_dict(),
        config={k: getattr(config, k) for k in config.__dataclass_fields__},
        sample=drawn.counts | {"responses": int(rows.size)},
        stations={
            f.key: {"sector": f.sector, "region": f.region, "frame_size": f.frame_size,
                    "copies": int(copies.get(i, 1)), "completes": _planned(plan, f).completes,
                    "partials": _planned(plan, f).partials}
            for i, f in enumerate(frames)
        },
    )  # fmt: skip
    path = write_ground_truth(wave, truth)
    return SimulationResult(
        wave_code=wave.code,
        responses=int(rows.size),
        completes=int(drawn.complete.sum()),
        seconds=time.perf_counter() - started,
        truth_path=str(path),
        counts=drawn.counts,
        quality=quality,
    )


def _draw_sample(
    rng: np.random.Generator,
    schema: Schema,
    pop: Population,
    cols: dict[str, Column],
    plans: dict[str, Plans],
    rows: np.ndarray,
    frames: list[StationFrame],
    plan: Mapping[int, StationPlan],
    config: SimulationConfig,
) -> Drawn:
    # Within each station the first ``completes`` chosen people complete, the rest stop.
    station = pop.station[rows]
    rank = np.zeros(rows.size, dtype=np.int64)
    for i in np.unique(station):
        idx = np.flatnonzero(station == i)
        rank[idx] = rng.permutation(idx.size)
    completes = np.array([_planned(plan, f).completes for f in frames], dtype=np.int64)
    complete = rank < completes[station] if rows.size else np.zeros(0, dtype=bool)
    return build(rng, schema, pop, cols, plans, rows, complete, config)


def _insert(
    wave: Wave, pop: Population, drawn: Drawn, when: np.ndarray, seed: int, bar: Any
) -> None:
    station_ids = np.array([f.station_id for f in pop.frames], dtype=np.int64)[
        pop.station[drawn.rows]
    ]
    # Stored as days only, as the respondent form stores them (models.field_day_start).
    submitted = [field_day_start(t) if t else None for t in to_datetimes(when)]
    began = [field_day_start(t) if t else None for t in to_datetimes(when - drawn.duration)]
    ids = submission_ids((wave.code, seed), drawn.rows.size)

    def rows() -> Iterator[tuple[Any, ...]]:
        for i in range(drawn.rows.size):
            done = bool(drawn.complete[i])
            yield (
                int(station_ids[i]),
                bool(drawn.open_link[i]),
                "en" if drawn.english[i] else "zh-hans",
                drawn.answers[i],
                "complete" if done else "partial",
                drawn.last_page[i],
                drawn.page_seconds[i],
                began[i],
                submitted[i],
                submitted[i] if done else None,
                int(drawn.duration[i]) if done else None,
                ids[i] if done else None,
            )

    insert_rows(template_response(wave), RESPONSE_COLUMNS, rows(), drawn.rows.size, bar)


def _update_quotas(
    wave: Wave, frames: list[StationFrame], pop: Population, drawn: Drawn, raise_targets: bool
) -> None:
    counts = np.bincount(pop.station[drawn.rows][drawn.complete], minlength=len(frames))
    completes = {f.station_id: int(c) for f, c in zip(frames, counts, strict=True)}
    # One UPDATE for all quotas. Completes may pass the target (answer codes do not stop
    # at it); with ``raise_targets`` (a bulk simulation far beyond the quotas) the target
    # is raised to the completes so the monitoring pages stay readable.
    whens = [When(station_id=k, then=Value(v)) for k, v in completes.items()]
    quotas = StationQuota.objects.filter(wave=wave, station_id__in=list(completes))
    quotas.update(completes=Case(*whens, output_field=IntegerField()))
    for quota in quotas.only("pk", "target", "completes") if raise_targets else ():
        if quota.target < quota.completes:
            StationQuota.objects.filter(pk=quota.pk).update(target=quota.completes)
