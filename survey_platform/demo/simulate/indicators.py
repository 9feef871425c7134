"""The grievance indicators of the simulated *population*: the truth the table estimates.

The platform's indicator of a code (:mod:`analysis.grievances`) is broader than the J1
choice: J1, or one of the taxonomy's closed-item rules (e.g. G06 also counts B8 = 1), or
a classified open answer. Its population value is computed here with the platform's own
rule engine: the population's answer columns are coded as an :class:`analysis.Dataset`
the way the wave loader codes stored answers (:func:`population_dataset`) and go through
:func:`analysis.grievances.closed_indicators`, and the two sources are joined by
:func:`analysis.grievances.combine`. No rule is restated here: a rule edited in
``taxonomy.yaml`` changes the truth and the estimate alike.

The open-answer part uses the codes the answers are *generated* from — each person's
planned K1/K2 answers and their topics (open_text.py); negated topics, empty and
off-topic answers give no code — not the text classifier: the truth says what people
complain about, and the classifier's errors stay a measurement error that the
acceptance tests see (classifying every person's answers would also cost about half a
millisecond each, seconds per wave). As in the indicator, a person who writes an answer
is 0/1 on every ranked code from the text, and G00 takes nothing from it. Every planned
answer counts, as in a census of complete and careful answers; in a sample, speeders and
respondents answering in English write none, and J1's "other, specify" texts (no
generating code) are classified too: a few hundredths of a point either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

import analysis as an
from analysis.codebook import Kind, Variable, codebook_from_instrument, domain_variable
from analysis.grievances import Taxonomy, closed_indicators, combine
from instruments.schema import Instrument as Schema

from .columns import CODE, MULTI, RANK, Column
from .open_text import TOPICS, Plans
from .population import Population


def population_dataset(schema: Schema, cols: Mapping[str, Column], pop: Population) -> an.Dataset:
    """The population's closed answers to ``schema`` coded as the analysis dataset codes
    stored answers (items hidden by the routing are missing), with the population weight
    and the station; no other design or domain columns."""
    book = codebook_from_instrument(schema)
    n = pop.size
    columns: dict[str, np.ndarray] = {}
    for var in book:
        coded = _coded(var, cols, n)
        if coded is not None:
            columns[var.code] = coded
    columns["station"] = pop.station.astype(np.int32)
    columns["weight"] = pop.weight.astype(np.float64)
    stations = tuple(str(i) for i in range(len(pop.frames)))
    design = (domain_variable("station", stations), domain_variable("weight", ()))
    return an.Dataset(book.with_variables(design), columns)


def _coded(var: Variable, cols: Mapping[str, Column], n: int) -> np.ndarray | None:
    """One analysis column: level index (-1 missing), 0/1 (-1), or float (NaN)."""
    col = cols.get(var.code) or cols.get(var.item or "")
    if col is None:
        return None
    hidden = ~col.visible(n)
    if var.kind is Kind.MULTI and col.kind == MULTI and var.option in col.options:
        values = col.values[:, col.options.index(var.option)].astype(np.int8)
        return np.where(hidden, np.int8(-1), values)
    if var.kind is Kind.NUMERIC and col.kind not in (CODE, MULTI, RANK):
        return np.where(hidden, np.nan, col.values.astype(np.float64))
    if var.kind is not Kind.CATEGORICAL or col.kind not in (CODE, RANK):
        return None
    levels = var.level_codes
    lookup = np.array([levels.index(o) if o in levels else -1 for o in col.options] + [-1])
    index = col.values[:, (var.rank or 1) - 1] if col.kind == RANK else col.values
    return np.where(hidden, -1, lookup[index]).astype(np.int16)


def text_indicators(taxonomy: Taxonomy, plans: Mapping[str, Plans], n: int) -> np.ndarray:
    """(n, codes) from the generating topics of the planned open answers: NaN for those
    who write none, else 1 for the ranked codes written about and 0 for the others."""
    out = np.full((n, len(taxonomy.codes)), np.nan)
    if not plans:
        return out
    written = np.logical_or.reduce([p.writes for p in plans.values()])
    about = np.logical_or.reduce([p.about() for p in plans.values()])
    for j, code in enumerate(taxonomy.codes):
        if code not in taxonomy.ranked_codes:
            continue
        said = about[:, TOPICS.index(code)] if code in TOPICS else np.zeros(n, dtype=bool)
        out[:, j] = np.where(written, said.astype(np.float64), np.nan)
    return out


@dataclass(frozen=True, eq=False)
class PopulationIndicators:
    """(persons, taxonomy codes) arrays, 1/0/NaN: the closed-item rules, the open
    answers' generating codes, and both joined as :func:`analysis.grievances.combine`
    joins them (the platform's indicator)."""

    codes: tuple[str, ...]
    closed: np.ndarray
    text: np.ndarray
    values: np.ndarray


def population_indicators(
    schema: Schema,
    cols: Mapping[str, Column],
    pop: Population,
    plans: Mapping[str, Plans],
    taxonomy: Taxonomy,
) -> PopulationIndicators:
    """The indicators of every person of ``pop`` for the questionnaire ``schema``;
    ``plans`` are the planned answers of its open items (pass only those it has)."""
    closed = closed_indicators(population_dataset(schema, cols, pop), taxonomy).values
    text = text_indicators(taxonomy, plans, pop.size)
    return PopulationIndicators(taxonomy.codes, closed, text, combine(closed, text))
