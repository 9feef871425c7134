"""Ground truth: the population values a simulated wave was drawn from.

Written per wave to ``VAR_DIR/ground_truth/<wave code>.json`` so that any later analysis
(weighted estimates, trends, grievance tables) can be checked against what is true of the
population. Values are finite-population values over all the (real) workers of the wave's
stations, each expanded person counting ``1/copies``: what a perfect census of the same
wave would have found. Partial responses, speeders, straight-liners and skipped optional
items are properties of the *sample* and do not enter them (their counts are recorded).

Main keys: ``grievance_indicators`` (prevalence of the platform's full grievance
indicator — J1, the taxonomy's closed-item rules or the open answers, see indicators.py —
overall, ``by_sector``, ``by_station``, ``by_age_group``; ``grievance_indicator_ranking``
orders the ranked codes by it; ``grievance_indicator_sources`` splits it into the share
named by a closed-item rule (J1 included) and the share named only in an open answer;
``taxonomy`` names the taxonomy file it was computed with), ``grievances`` (the same for
the J1 choice alone), ``indicators`` (mean weekly hours B1, mean research share B2,
evaluation unfit D1 4–5, money a main pressure G1 option 1, …, overall and by sector),
``distributions`` (every closed item: option shares among those shown the item, means of
numbers), ``icc`` (intra-station correlation of key items), ``margins``, ``sample``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

from analysis.grievances import Taxonomy, load_taxonomy
from instruments.schema import Instrument as Schema

from .columns import CODE, FLOAT, INT, MULTI, RANK, Column
from .indicators import population_indicators
from .open_text import Plans
from .population import AGE_GROUPS, Population, margin_counts

#: Derived indicators: name → (answer code, how).
INDICATORS = {
    "hours_mean": ("B1", "mean"),
    "research_share_mean": ("B2", "mean"),
    "admin_hours_mean": ("B3+B4+B5", "mean"),
    "income_dissatisfied_share": ("C3", ("4", "5")),
    "evaluation_unfit_share": ("D1", ("4", "5")),
    "funding_short_share": ("E4", ("4", "5")),
    "money_pressure_share": ("G1", "1"),
    "high_pressure_share": ("G2", ("1", "2")),
    "project_share": ("E1", ("1",)),
}
ICC_ITEMS = ("B1", "D1", "C3", "J1:G01", "J1:G04", "G1:1")


def ground_truth_path(wave: Any) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", str(getattr(wave, "code", wave)))
    return Path(settings.VAR_DIR) / "ground_truth" / f"{safe}.json"


def load_ground_truth(wave: Any) -> dict[str, Any] | None:
    path = ground_truth_path(wave)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def write_ground_truth(wave: Any, truth: Mapping[str, Any]) -> Path:
    path = ground_truth_path(wave)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _r(x: float) -> float:
    return round(float(x), 6)


class _Groups:
    """Weighted group means over the population (overall, by sector, station, age)."""

    def __init__(self, pop: Population) -> None:
        self.w = pop.weight
        self.pop = pop
        sectors = sorted({f.sector for f in pop.frames})
        self.sector_names = sectors
        self.sector = np.array([sectors.index(f.sector) for f in pop.frames], dtype=np.int64)[
            pop.station
        ] if pop.frames else np.zeros(0, np.int64)  # fmt: skip
        self.age = pop.age_group()

    def mean(
        self, y: np.ndarray, mask: np.ndarray, by: np.ndarray | None = None, k: int = 1
    ) -> Any:
        w = self.w * mask
        if by is None:
            total = w.sum()
            return _r((w * y).sum() / total) if total else None
        num = np.bincount(by, weights=w * y, minlength=k)
        den = np.bincount(by, weights=w, minlength=k)
        return [(_r(a / b) if b else None) for a, b in zip(num, den, strict=True)]

    def breakdown(self, y: np.ndarray, mask: np.ndarray) -> dict[str, Any]:
        pop = self.pop
        by_sector = self.mean(y, mask, self.sector, len(self.sector_names))
        by_station = self.mean(y, mask, pop.station, len(pop.frames))
        by_age = self.mean(y, mask, self.age, len(AGE_GROUPS))
        return {
            "overall": self.mean(y, mask),
            "by_sector": dict(zip(self.sector_names, by_sector, strict=True)),
            "by_station": {f.key: v for f, v in zip(pop.frames, by_station, strict=True)},
            "by_age_group": dict(zip(AGE_GROUPS, by_age, strict=True)),
        }


def _indicator(
    cols: Mapping[str, Column], code: str, how: Any, n: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """(values, mask) of an indicator, or None when the instrument lacks the item."""
    parts = code.split("+")
    if any(p not in cols for p in parts):
        return None
    first = cols[parts[0]]
    mask = first.visible(n)
    if how == "mean":
        values = [cols[p].values.astype(np.float64) for p in parts]
        return sum(values[1:], values[0]), mask
    if first.kind == MULTI:
        return first.values[:, first.options.index(how)].astype(np.float64), mask
    wanted = np.isin(np.asarray(first.options), how)
    return wanted[first.values].astype(np.float64), mask


def _distribution(g: _Groups, col: Column, n: int) -> dict[str, Any]:
    mask = col.visible(n)
    if col.kind in (INT, FLOAT):
        return {"mean": g.mean(col.values.astype(np.float64), mask)}
    if col.kind == CODE:
        return {o: g.mean((col.values == j).astype(float), mask) for j, o in enumerate(col.options)}
    if col.kind == MULTI:
        return {o: g.mean(col.values[:, j].astype(float), mask) for j, o in enumerate(col.options)}
    if col.kind == RANK:
        return {
            "first": {o: g.mean((col.values[:, 0] == j).astype(float), mask)
                      for j, o in enumerate(col.options)},
            "top": {o: g.mean((col.values == j).any(axis=1).astype(float), mask)
                    for j, o in enumerate(col.options)},
        }  # fmt: skip
    return {}


def icc(y: np.ndarray, group: np.ndarray) -> float | None:
    """One-way ANOVA intra-class correlation of ``y`` within ``group``."""
    k = int(group.max()) + 1 if group.size else 0
    if k < 2 or y.size <= k:
        return None
    n = np.bincount(group, minlength=k).astype(np.float64)
    keep = n > 0
    means = np.bincount(group, weights=y, minlength=k) / np.maximum(n, 1)
    ssb = float((n * (means - y.mean()) ** 2).sum())
    ssw = float(((y - means[group]) ** 2).sum())
    groups = int(keep.sum())
    msb, msw = ssb / (groups - 1), ssw / (y.size - groups)
    n0 = (y.size - (n**2).sum() / y.size) / (groups - 1)
    denominator = msb + (n0 - 1) * msw
    return _r((msb - msw) / denominator) if denominator else None


def _icc_of(cols: Mapping[str, Column], spec: str, pop: Population) -> float | None:
    code, _, option = spec.partition(":")
    col = cols.get(code)
    if col is None:
        return None
    if col.kind == MULTI:
        y = col.values[:, col.options.index(option)].astype(float)
    elif code == "B1":
        y = col.values.astype(float)
    else:  # an ordinal item: the share at the "bad" end (codes 4–5)
        y = (col.values >= 3).astype(float)
    return icc(y, pop.station)


def compute_truth(
    pop: Population,
    cols: Mapping[str, Column],
    schema: Schema,
    plans: Mapping[str, Plans],
    taxonomy: Taxonomy | None = None,
) -> dict[str, Any]:
    """The population values of the answers to ``schema`` (the wave's questionnaire);
    ``plans`` are the planned open answers (sample.plan_open_answers)."""
    g = _Groups(pop)
    n = pop.size
    codes = list(schema.answer_codes())
    present = {c: cols[c] for c in codes if c in cols}
    truth: dict[str, Any] = {
        "population_size": round(float(pop.weight.sum())),
        "expanded_population": n,
        "margins": margin_counts(pop),
        "distributions": {c: _distribution(g, col, n) for c, col in present.items()},
        "indicators": {},
        "icc": {spec: _icc_of(present, spec, pop) for spec in ICC_ITEMS},
    }
    for name, (code, how) in INDICATORS.items():
        found = _indicator(present, code, how, n)
        if found is not None:
            truth["indicators"][name] = g.breakdown(*found)
    j1 = present.get("J1")
    if j1 is not None:
        mask = j1.visible(n)
        truth["grievances"] = {
            option: g.breakdown(j1.values[:, j].astype(float), mask)
            for j, option in enumerate(j1.options)
        }
        overall = {o: v["overall"] for o, v in truth["grievances"].items()}
        truth["grievance_ranking"] = sorted(overall, key=lambda o: -(overall[o] or 0))
        truth.update(_full_indicators(g, pop, cols, schema, plans, taxonomy or load_taxonomy()))
    return truth


def _full_indicators(
    g: _Groups,
    pop: Population,
    cols: Mapping[str, Column],
    schema: Schema,
    plans: Mapping[str, Plans],
    tax: Taxonomy,
) -> dict[str, Any]:
    asked = {code: p for code, p in plans.items() if schema.item(code) is not None}
    ind = population_indicators(schema, cols, pop, asked, tax)
    found, sources = {}, {}
    for j, code in enumerate(tax.codes):
        y = ind.values[:, j]
        known = ~np.isnan(y)
        found[code] = g.breakdown(np.nan_to_num(y), known)
        closed = np.nan_to_num(ind.closed[:, j])
        sources[code] = {
            "closed": g.mean(closed, known),
            "text_only": g.mean((ind.text[:, j] == 1) & (closed == 0), known),
        }
    overall = {c: found[c]["overall"] or 0.0 for c in tax.ranked_codes}
    return {
        "grievance_indicators": found,
        "grievance_indicator_sources": sources,
        "grievance_indicator_ranking": sorted(overall, key=lambda c: -overall[c]),
        "taxonomy": {"version": tax.version, "fingerprint": tax.fingerprint},
    }
