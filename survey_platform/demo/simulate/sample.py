"""From the population's answers to stored responses: who responds and how.

Per station, ``completes + partials`` people are drawn without replacement (with an
optional response bias: young people and those without a senior title answer more
readily). Then what real respondents do is layered on the true answers:

* partial responses stop after some page (the later pages are missing);
* optional items (income C1, funds E3, the open answers K1/K2) are often skipped;
* speeders answer in a fraction of the usual time and pick attitude answers at random;
* straight-liners give one option to every row of a matrix;
* a few duplicate submissions repeat another respondent's answers at the same station;
* "other, please specify" gets a short text; section K gets composed Chinese answers,
  some carrying fictional personal data.

What a person would write in section K is planned for the whole population
(:func:`plan_open_answers`: whether they write, and what about), like every other answer;
only the sampled respondents' answers are written out (speeders and respondents answering
in English write none).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from instruments.schema import Instrument as Schema

from .columns import CODE, Column
from .open_text import TOPICS, Plans, other_text, own_topics, plan_answers, render
from .population import Population
from .timing import SECONDS_PER_ANSWER, TEXT_BASE, TEXT_PER_CHAR, page_seconds

#: Attitude items a speeder may answer at random: none of them steers the skip logic.
CARELESS = (
    "B6", "B8", "C2", "C3", "C6", "D1", "D5", "E4", "E8", "F2", "F8", "G2", "G3",
    "H2", "H4", "H5", "I3",
)  # fmt: skip
OTHER_OPTION = {"A5": "99", "A6": "99", "E7": "99", "F6": "99", "I4": "99", "J1": "G00"}
OPTIONAL_SKIP = {"C1": "income_nonresponse", "E3": "funds_nonresponse"}
#: The open items and the config field giving the share who write in each.
OPEN_ITEMS = {"K1": "k1_share", "K2": "k2_share"}


@dataclass(frozen=True)
class SimulationConfig:
    partial_share: float = 0.07
    speeder_share: float = 0.025
    straightliner_share: float = 0.02
    duplicate_share: float = 0.002
    open_link_share: float = 0.25
    english_share: float = 0.015
    k1_share: float = 0.38
    k2_share: float = 0.30
    #: Share of written open answers (K1, K2) that contain fictional personal data.
    personal_data_rate: float = 0.03
    income_nonresponse: float = 0.18
    funds_nonresponse: float = 0.30
    #: Log-odds of responding for the young and for those without a senior title.
    response_bias: float = 0.0
    #: A station's population is expanded when a wave samples more than this share.
    max_sampling_fraction: float = 0.5


@dataclass
class Drawn:
    """The sampled respondents, ready for the writer (one entry per response)."""

    rows: np.ndarray  # population row of each respondent
    complete: np.ndarray
    answers: list[dict[str, Any]]
    page_seconds: list[dict[str, int]]
    last_page: list[str]
    duration: np.ndarray
    open_link: np.ndarray
    english: np.ndarray
    counts: dict[str, int] = field(default_factory=dict)


def choose(
    rng: np.random.Generator,
    pop: Population,
    wanted: Sequence[int],
    bias: float,
) -> np.ndarray:
    """Population rows of the respondents: ``wanted[i]`` from frame ``i``, without
    replacement; weighted (Efraimidis–Spirakis keys) when ``bias`` is not 0."""
    weight = np.exp(bias * ((pop.age < 35).astype(float) + (pop.title >= 3)))
    keys = np.log(rng.uniform(size=pop.size)) / weight
    chosen: list[np.ndarray] = []
    starts = np.concatenate([[0], np.cumsum(np.bincount(pop.station, minlength=len(wanted)))])
    for i, n in enumerate(wanted):
        lo, hi = int(starts[i]), int(starts[i + 1])
        n = min(int(n), hi - lo)
        if n > 0:
            top = np.argpartition(-keys[lo:hi], n - 1)[:n] if n < hi - lo else np.arange(hi - lo)
            chosen.append(lo + np.sort(top))
    return np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)


def plan_open_answers(
    rng: np.random.Generator, cols: dict[str, Column], n: int, config: SimulationConfig
) -> dict[str, Plans]:
    """Per open item, the answer each of the ``n`` people would write (see open_text)."""
    j1 = cols.get("J1")
    own = own_topics(j1.values, j1.options) if j1 is not None else np.zeros((n, len(TOPICS)), bool)
    out: dict[str, Plans] = {}
    for code, share in OPEN_ITEMS.items():
        writes = rng.uniform(size=n) < getattr(config, share)
        personal = rng.uniform(size=n) < config.personal_data_rate
        out[code] = plan_answers(rng, own, writes, personal)
    return out


def build(
    rng: np.random.Generator,
    schema: Schema,
    pop: Population,
    cols: dict[str, Column],
    plans: dict[str, Plans],
    rows: np.ndarray,
    complete: np.ndarray,
    config: SimulationConfig,
) -> Drawn:
    n = rows.size
    pages = schema.pages()
    codes = [c for c in schema.answer_codes() if c in cols or _is_text(schema, c)]
    page_of = {c: i for i, p in enumerate(pages) for item in p.items for c in item.answer_codes}
    sample = {c: cols[c].take(rows) for c in codes if c in cols}
    done = np.where(complete, len(pages), _stop_page(rng, n, len(pages)))
    speeder = complete & (rng.uniform(size=n) < config.speeder_share)
    liner = complete & (
        (rng.uniform(size=n) < config.straightliner_share) | (speeder & (rng.uniform(size=n) < 0.5))
    )
    english = rng.uniform(size=n) < config.english_share
    _careless(rng, sample, speeder)
    _straight_lines(rng, schema, sample, liner)
    values: dict[str, list[Any]] = {}
    seconds = np.zeros((n, len(pages)))
    for code in codes:
        reached = done > page_of[code]
        if code in sample:
            col = sample[code]
            present = col.visible(n) & reached
            skip_rate = getattr(config, OPTIONAL_SKIP.get(code, ""), 0.0)
            present &= rng.uniform(size=n) >= (skip_rate * (1 + speeder))
            values[code] = col.to_python(present)
            seconds[:, page_of[code]] += present * SECONDS_PER_ANSWER[col.kind]
    texts, personal = _texts(rng, schema, pop, plans, rows, values, done, speeder | english)
    for code, column in texts.items():
        values[code] = column
        lengths = np.array([len(t) if t else 0 for t in column], dtype=float)
        seconds[:, page_of[code]] += (lengths > 0) * (TEXT_BASE + TEXT_PER_CHAR * lengths)
    order = [c for c in schema.answer_codes() if c in values]
    answers = [
        {k: v for k, v in zip(order, vals, strict=True) if v is not None}
        for vals in zip(*(values[c] for c in order), strict=True)
    ] if order else [{} for _ in range(n)]  # fmt: skip
    copied = _duplicates(rng, pop, rows, complete, answers, config.duplicate_share)
    for target, source in copied:
        personal[target] = personal[source]
    pace = np.exp(rng.normal(0.0, 0.35, n)) * np.where(speeder, rng.uniform(0.1, 0.25, n), 1.0)
    secs = page_seconds(rng, seconds, pace)
    page_codes = [p.code for p in pages]
    per_page = [
        {page_codes[j]: int(s) for j, s in enumerate(row[:k])}
        for row, k in zip(secs.tolist(), done.tolist(), strict=True)
    ]
    duration = np.array([sum(p.values()) for p in per_page], dtype=np.int64)
    written = sum(1 for a in answers for c in ("K1", "K2") if c in a)
    return Drawn(
        rows=rows,
        complete=complete,
        answers=answers,
        page_seconds=per_page,
        last_page=[page_codes[k - 1] if k else "" for k in done.tolist()],
        duration=duration,
        open_link=rng.uniform(size=n) < config.open_link_share,
        english=english,
        counts={
            "completes": int(complete.sum()),
            "partials": int((~complete).sum()),
            "speeders": int(speeder.sum()),
            "straightliners": int(liner.sum()),
            "duplicates": len(copied),
            "english": int(english.sum()),
            "open_answers": written,
            "open_answers_with_personal_data": int(personal.sum()),
        },
    )


def _is_text(schema: Schema, code: str) -> bool:
    return code in ("K1", "K2") or code.endswith("_other")


def _stop_page(rng: np.random.Generator, n: int, pages: int) -> np.ndarray:
    """Pages saved by a partial respondent: 1 … pages-1, more often early."""
    if pages <= 1:
        return np.ones(n, dtype=np.int64)
    weights = np.exp(-np.arange(1, pages) / max(pages / 3, 1))
    return 1 + rng.choice(pages - 1, size=n, p=weights / weights.sum())


def _careless(rng: np.random.Generator, sample: dict[str, Column], who: np.ndarray) -> None:
    for code in CARELESS:
        col = sample.get(code)
        if col is None or col.kind != CODE or not who.any():
            continue
        flip = who & (rng.uniform(size=who.size) < 0.5)
        random = rng.integers(0, len(col.options), who.size)
        col.values[:] = np.where(flip, random, col.values)


def _straight_lines(
    rng: np.random.Generator, schema: Schema, sample: dict[str, Column], who: np.ndarray
) -> None:
    if not who.any():
        return
    for item in schema.items:
        rows = [sample[r.code] for r in item.rows if r.code in sample]
        if len(rows) < 4:
            continue
        same = np.where(rng.uniform(size=who.size) < 0.5, 2, rows[0].values)
        for col in rows:
            col.values[:] = np.where(who, same, col.values)


def _texts(
    rng: np.random.Generator,
    schema: Schema,
    pop: Population,
    plans: dict[str, Plans],
    rows: np.ndarray,
    values: dict[str, list[Any]],
    done: np.ndarray,
    silent: np.ndarray,
) -> tuple[dict[str, list[str | None]], np.ndarray]:
    """The ``_other`` texts and the open answers; and per respondent how many of their
    open answers carry personal data."""
    out: dict[str, list[str | None]] = {}
    n = rows.size
    for code, option in OTHER_OPTION.items():
        if code in values and schema.owner_of(f"{code}_other") is not None:
            out[f"{code}_other"] = [
                other_text(rng, f"{code}_other") if _chose(v, option) else None
                for v in values[code]
            ]
    sectors = pop.sector[rows] if n else np.zeros(0, dtype=object)
    young = (pop.age[rows] < 35).tolist()
    personal = np.zeros(n, dtype=np.int64)
    for code in OPEN_ITEMS:
        item = schema.item(code)
        if item is None:
            continue
        plan = plans[code]
        page = next(i for i, p in enumerate(schema.pages()) if item in p.items)
        writes = plan.writes[rows] & (done > page) & ~silent
        column: list[str | None] = [None] * n
        for i in np.flatnonzero(writes).tolist():
            answer = render(
                rng,
                plan,
                int(rows[i]),
                sector=str(sectors[i]),
                young=young[i],
                suggestion=code == "K1",
            )
            text = answer.text[: item.max_length] if item.max_length else answer.text
            column[i] = text
            personal[i] += bool(answer.personal)
        out[code] = column
    return out, personal


def _chose(value: Any, option: str) -> bool:
    return value == option or (isinstance(value, list) and option in value)


def _duplicates(
    rng: np.random.Generator,
    pop: Population,
    rows: np.ndarray,
    complete: np.ndarray,
    answers: list[dict[str, Any]],
    share: float,
) -> list[tuple[int, int]]:
    """Copy another complete response of the same station into a few completes; the
    (copy, original) pairs."""
    candidates = np.flatnonzero(complete & (rng.uniform(size=rows.size) < share))
    station = pop.station[rows]
    made: list[tuple[int, int]] = []
    for i in candidates.tolist():
        peers = np.flatnonzero(complete & (station == station[i]))
        peers = peers[peers != i]
        if peers.size:
            source = int(peers[rng.integers(peers.size)])
            answers[i] = dict(answers[source])
            made.append((i, source))
    return made
