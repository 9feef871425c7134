"""What each virtual respondent of bench/load.py answers, and the form fields it posts.

Pure Python (instruments + analysis, no Django), so the client processes and the smoke
test (tests/bench/test_load_smoke.py) use exactly the same page-POST builder.

``analysis.simulate.simulate_answers`` draws plausible answers item by item, without the
questionnaire's logic: it leaves about 2% of required items empty, answers items whose
relevance is false, and ignores cross-item constraints (B5: hours on forms + meetings +
inspections <= weekly hours), so nearly every simulated document fails the validator on
some page (399 of 400 with seed 7). :func:`repair` makes each document valid page by page,
changing as few answers as it can — a missing required answer gets a value drawn with the
plan's seed; a broken constraint moves the item's own number, else one number the
constraint refers to, by as little as possible (B1 often rises to B3 + B4 + B5, since the
simulation draws the four independently) — and keeps only the answers to the items the
respondent is shown, which is what the server stores.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from analysis.simulate import simulate_answers
from instruments.logic import LogicError, evaluate, is_true, parse, references
from instruments.schema import Instrument, Item, ItemType
from instruments.validation import (
    available_options,
    shown_answers,
    shown_pages,
    validate_answers,
    visible_items,
)

Fields = list[tuple[str, str]]
OTHER_TEXT = "其他情况（模拟）"
MAX_FIXES_PER_PAGE = 40


class RepairFailed(RuntimeError):
    """A simulated document could not be made valid (a change to the questionnaire)."""


@dataclass(frozen=True)
class RespondentPlan:
    """One virtual respondent: the code it answers with and the fields of every page."""

    token: str
    station: int
    submission_id: str
    answers: dict[str, Any]
    pages: dict[str, Fields] = field(default_factory=dict)
    #: The pages this respondent is shown, in order (what the browser's pager steps
    #: through: a page with no question shown is skipped).
    shown_pages: tuple[str, ...] = ()

    @property
    def checksum(self) -> str:
        return answers_checksum(self.answers)


def answers_checksum(answers: Mapping[str, Any]) -> str:
    """The same for the document the client posted and the JSON the database returns."""
    text = json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def valid_documents(
    instrument: Instrument, n: int, *, seed: int, stations: list[int]
) -> Iterator[dict[str, Any]]:
    """``n`` simulated answer documents, repaired to pass the validator page by page;
    respondent ``i`` belongs to ``stations[i]`` (answers cluster by station)."""
    import numpy as np

    rng = random.Random(seed)
    labels = np.asarray(stations, dtype=np.int64)
    for doc in simulate_answers(instrument, n, seed=seed, station=labels):
        yield repair(instrument, doc, rng)


def repair(instrument: Instrument, doc: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """``doc`` with every page valid and only shown answers kept."""
    answers = dict(doc)
    for page in instrument.pages():
        for _attempt in range(MAX_FIXES_PER_PAGE):
            problems = validate_answers(instrument, answers, page=page.code)
            if not problems:
                break
            _fix(instrument, answers, next(iter(problems)), page.code, rng)
        else:
            raise RepairFailed(f"page {page.code}: {sorted(problems)}")
    return shown_answers(instrument, answers)[1]


def _fix(
    instrument: Instrument, answers: dict[str, Any], code: str, page: str, rng: random.Random
) -> None:
    item = instrument.owner_of(code)
    if item is None:
        raise RepairFailed(f"no item owns {code}")
    if item.type in NUMERIC and code == item.code:
        if not _in_range(item, answers.get(code)):
            answers[code] = _candidates(instrument, item, code, answers, rng)[0]
        _meet_constraint(instrument, item, answers)
        if code not in validate_answers(instrument, answers, page=page):
            return
    for candidate in _candidates(instrument, item, code, answers, rng):
        answers[code] = candidate
        if code not in validate_answers(instrument, answers, page=page):
            return
    raise RepairFailed(f"cannot repair {code}")


def _meet_constraint(instrument: Instrument, item: Item, answers: dict[str, Any]) -> None:
    """Meet a numeric item's constraint (B3 + B4 + B5 <= B1) by moving one number it refers
    to as little as possible: the item's own, else another, else the item at its lowest
    with another moved; last resort, all of them at their lowest."""
    rule = parse(item.constraint or "true()")
    others = [
        owner
        for ref in references(rule)
        if ref != item.code and (owner := instrument.owner_of(ref)) is not None
        if owner.type in NUMERIC and owner.code == ref
    ]

    def meets() -> bool:
        try:
            return is_true(evaluate(rule, answers, answers.get(item.code)))
        except LogicError:
            return False

    for _attempt in _moves(item, others, answers):
        if meets():
            return


def _moves(item: Item, others: list[Item], answers: dict[str, Any]) -> Iterator[None]:
    """Change ``answers`` step by step, yielding after each change to be tested."""
    own = answers.get(item.code)
    for value in _nearest(item, own):
        answers[item.code] = value
        yield
    for fixed in (own, _lowest(item)):
        answers[item.code] = fixed
        for owner in others:
            kept = answers.get(owner.code)
            for value in _nearest(owner, kept):
                answers[owner.code] = value
                yield
            answers[owner.code] = kept
    for owner in [item, *others]:
        answers[owner.code] = _lowest(owner)
    yield


NUMERIC = (ItemType.INTEGER, ItemType.DECIMAL, ItemType.YEAR)


def _in_range(item: Item, value: Any) -> bool:
    return isinstance(value, int | float) and _lowest(item) <= value <= _highest(item)


def _lowest(item: Item) -> int | float:
    low = int(item.min_value if item.min_value is not None else 0)
    return float(low) if item.type is ItemType.DECIMAL else low


def _highest(item: Item) -> int:
    return int(item.max_value if item.max_value is not None else _lowest(item) + 100)


def _nearest(item: Item, current: Any) -> Iterator[int | float]:
    """The item's whole values in order of distance from ``current`` (or its minimum)."""
    low, high = int(_lowest(item)), _highest(item)
    start = round(current) if isinstance(current, int | float) else low
    for step in range(0, high - low + 1):
        for value in (start + step, start - step) if step else (start,):
            if low <= value <= high:
                yield float(value) if item.type is ItemType.DECIMAL else value


def _candidates(
    instrument: Instrument, item: Item, code: str, answers: Mapping[str, Any], rng: random.Random
) -> list[Any]:
    """Values for a missing or invalid answer, drawn with the plan's seed."""
    if code == item.other_code:
        return [OTHER_TEXT]
    shown = shown_answers(instrument, answers)[1]
    options = [o for o in available_options(instrument, item, shown) if o != item.other_choice]
    kind = item.type
    if kind in (ItemType.SINGLE, ItemType.LIKERT, ItemType.MATRIX):
        return rng.sample(options, len(options))
    if kind in (ItemType.MULTIPLE, ItemType.RANKING):
        plain = [o for o in options if o not in item.exclusive]
        high = min(item.max_choices or 3, len(plain))
        low = high if kind is ItemType.RANKING else max(item.min_choices or 1, 1)
        return [rng.sample(plain, rng.randint(low, high)) for _ in range(5)]
    if kind in NUMERIC:
        middle = (int(_lowest(item)) + _highest(item)) // 2
        return list(_nearest(item, rng.randint(int(_lowest(item)), middle)))[:50]
    if kind is ItemType.DATE:
        return ["2024-05-01"]
    return [OTHER_TEXT]


def page_fields(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, Fields]:
    """The answer fields a browser posts on each page (form encoding: one value per field,
    a repeated field for each choice of a multiple-choice or ranking item)."""
    pages: dict[str, Fields] = {}
    for page in instrument.pages():
        fields: Fields = []
        for item in page.items:
            for code in item.answer_codes:
                value = answers.get(code)
                if isinstance(value, list | tuple):
                    fields.extend((code, str(v)) for v in value)
                elif value is not None:
                    fields.append((code, _form_text(value)))
        pages[page.code] = fields
    return pages


def _form_text(value: Any) -> str:
    if isinstance(value, bool):
        raise TypeError("no boolean answers in a form")
    return repr(value) if isinstance(value, float) else str(value)


def build_plans(
    instrument: Instrument,
    tokens: list[tuple[str, int]],
    *,
    seed: int,
    documents: list[dict[str, Any]] | None = None,
) -> list[RespondentPlan]:
    """A plan for each (invitation token, station id); answers are simulated with ``seed``
    (or taken from ``documents``, made by :func:`valid_documents` beforehand) and the
    submission ids are fixed by ``seed`` too."""
    import uuid

    rng = random.Random(seed)
    if documents is None:
        stations = [station for _token, station in tokens]
        documents = list(valid_documents(instrument, len(tokens), seed=seed, stations=stations))
    plans = []
    for (token, station), answers in zip(tokens, documents, strict=True):
        plans.append(
            RespondentPlan(
                token=token,
                station=station,
                submission_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                answers=answers,
                pages=page_fields(instrument, answers),
                shown_pages=tuple(shown_pages(instrument, visible_items(instrument, answers))),
            )
        )
    return plans


def standard_documents(n: int, seed: int, stations: int) -> list[dict[str, Any]]:
    """:func:`valid_documents` for the standard questionnaire, respondent ``i`` at station
    ``i % stations`` (picklable: bench/load.py computes these in another process)."""
    from instruments.standard import load_standard

    labels = [i % stations for i in range(n)]
    return list(valid_documents(load_standard(), n, seed=seed, stations=labels))
