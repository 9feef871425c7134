"""Random but plausible answers to an instrument, for benchmarks, tests and demos.

Every respondent answers as the platform stores it (choice codes as strings, lists for
multiple choice and ranking, numbers, texts). Category probabilities differ per item and
per station (so there is a design effect); multiple choice honours ``max_choices`` and
exclusive options; numbers stay inside the item's bounds; items with relevance are left
unanswered for about a third of respondents and other items for about 2%.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from instruments.schema import Instrument, Item, ItemType

_TEXTS = (
    "科研经费不足，希望简化报销流程",
    "减少各类检查和填表",
    "提高青年科技人员待遇",
    "职称评审应更重视实际贡献",
    "希望增加学术交流和培训机会",
    "More funding for basic research",
)


def simulate_meta(
    n: int, *, stations: int = 40, strata: int = 4, seed: int = 1
) -> dict[str, np.ndarray]:
    """Stations (``S001``...) of unequal size nested in ``strata`` sectors, and weights."""
    rng = np.random.default_rng(seed)
    size = rng.uniform(0.5, 1.5, stations)
    station = np.sort(rng.choice(stations, size=n, p=size / size.sum()))
    sector = station * strata // stations
    base = np.array([80.0, 150.0, 240.0, 400.0, 120.0, 60.0, 300.0, 200.0])[sector % 8]
    weight = base * np.exp(rng.normal(0, 0.25, stations))[station] * np.exp(rng.normal(0, 0.3, n))
    labels = np.array([f"S{i + 1:03d}" for i in range(stations)])
    sectors = np.array([f"sec{j + 1}" for j in range(strata)])
    return {
        "station": labels[station],
        "stratum": sectors[sector],
        "sector": sectors[sector],
        "weight": np.round(weight, 2),
    }


def simulate_answers(
    instrument: Instrument,
    n: int,
    *,
    seed: int = 1,
    station: np.ndarray | None = None,
    chunk_size: int = 10_000,
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` answers documents; ``station`` (integer or label per row) shifts the
    answer probabilities per station."""
    rng = np.random.default_rng(seed)
    st = (
        np.zeros(n, dtype=np.int64)
        if station is None
        else np.unique(station, return_inverse=True)[1]
    )
    n_st = int(st.max()) + 1 if n else 1
    params = [_Params(instrument, item, rng, n_st) for item in instrument.items]
    for start in range(0, n, chunk_size):
        stop = min(n, start + chunk_size)
        cols: list[tuple[str, list[Any]]] = []
        for p in params:
            cols.extend(p.draw(rng, st[start:stop]))
        keys = [k for k, _ in cols]
        for values in zip(*(v for _, v in cols), strict=True):
            yield {k: v for k, v in zip(keys, values, strict=True) if v is not None}


class _Params:
    def __init__(self, instrument: Instrument, item: Item, rng: np.random.Generator, n_st: int):
        self.item = item
        self.options = instrument.choice_options(item)
        k = max(len(self.options), 1)
        base = np.log(rng.dirichlet(np.full(k, 1.5)) + 0.02)
        # station effects: log-odds shifts so that answers cluster by station
        self.logits = base[None, :] + rng.normal(0, 0.2, (n_st, k))
        self.missing = 0.35 if item.relevance else 0.02
        self.mean = rng.uniform(0.2, 0.5)

    def _missing(self, rng: np.random.Generator, m: int) -> np.ndarray:
        return rng.uniform(size=m) < self.missing

    def _choose(self, rng: np.random.Generator, st: np.ndarray) -> np.ndarray:
        g = self.logits[st] + rng.gumbel(size=(st.size, self.logits.shape[1]))
        return np.argmax(g, axis=1)

    def draw(self, rng: np.random.Generator, st: np.ndarray) -> list[tuple[str, list[Any]]]:
        item, m = self.item, st.size
        t = item.type
        if t is ItemType.NOTE:
            return []
        miss = self._missing(rng, m)
        out: list[tuple[str, list[Any]]] = []
        if t in (ItemType.SINGLE, ItemType.LIKERT):
            codes = np.array(self.options, dtype=object)[self._choose(rng, st)]
            out.append((item.code, [None if x else c for c, x in zip(codes, miss, strict=True)]))
            if item.other_code:
                other = [c == item.other_choice for c in out[-1][1]]
                out.append((item.other_code, [_text(rng) if o else None for o in other]))
        elif t is ItemType.MATRIX:
            for row in item.rows:
                codes = np.array(self.options, dtype=object)[self._choose(rng, st)]
                out.append((row.code, [None if x else c for c, x in zip(codes, miss, strict=True)]))
        elif t in (ItemType.MULTIPLE, ItemType.RANKING):
            out.extend(self._lists(rng, st, miss))
        elif t in (ItemType.INTEGER, ItemType.DECIMAL, ItemType.YEAR):
            lo = item.min_value if item.min_value is not None else 0
            hi = item.max_value if item.max_value is not None else 100
            if t is ItemType.YEAR:
                x = np.clip(np.round(rng.normal(hi - 26, 9, m)), lo, hi)
            else:
                x = lo + (hi - lo) * rng.beta(2.0, 2.0 / self.mean, m)
                x = np.round(x) if t is ItemType.INTEGER else np.round(x, 1)
            vals = x.astype(int).tolist() if t is not ItemType.DECIMAL else x.tolist()
            out.append((item.code, [None if z else v for v, z in zip(vals, miss, strict=True)]))
        elif t is ItemType.TEXT:
            keep = rng.uniform(size=m) < 0.3
            out.append((item.code, [_text(rng) if k else None for k in keep]))
        elif t is ItemType.DATE:
            days = np.datetime64("2020-01-01") + rng.integers(0, 1500, m)
            out.append(
                (item.code, [None if z else str(d) for d, z in zip(days, miss, strict=True)])
            )
        return out

    def _lists(
        self, rng: np.random.Generator, st: np.ndarray, miss: np.ndarray
    ) -> list[tuple[str, list[Any]]]:
        item, opts = self.item, self.options
        k = len(opts)
        limit = item.max_choices or (3 if item.type is ItemType.MULTIPLE else k)
        g = self.logits[st] + rng.gumbel(size=(st.size, k))
        order = np.argsort(-g, axis=1)
        if item.type is ItemType.RANKING:
            count = np.full(st.size, min(limit, k))
        else:
            count = np.minimum(rng.integers(1, limit + 1, st.size), k)
        exclusive = {opts.index(c) for c in item.exclusive if c in opts}
        values: list[Any] = []
        others: list[Any] = []
        for row, c, z in zip(order.tolist(), count.tolist(), miss.tolist(), strict=True):
            if z:
                values.append(None)
                others.append(None)
                continue
            chosen = row[:c]
            if exclusive and chosen[0] in exclusive:
                chosen = chosen[:1]
            elif exclusive:
                chosen = [j for j in chosen if j not in exclusive]
            codes = [opts[j] for j in chosen]
            values.append(codes)
            others.append(_text(rng) if item.other_choice in codes else None)
        out: list[tuple[str, list[Any]]] = [(item.code, values)]
        if item.other_code:
            out.append((item.other_code, others))
        return out


def _text(rng: np.random.Generator) -> str:
    return _TEXTS[int(rng.integers(len(_TEXTS)))]
