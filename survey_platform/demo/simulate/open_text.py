"""Composes the open answers of section K from the phrase bank (phrases.py).

An answer is about the respondent's own difficulties (J1) most of the time, sometimes
about another one. Its shape is drawn from several registers — a terse keyword, a
colloquial complaint, a formal suggestion, a long paragraph, two issues at once, a
negation (「经费还算充足，就是报销太麻烦」: the first issue is *not* a grievance) — and a
few answers are empty in content (「无」) or off-topic. At the configured rate a sentence
with fictional personal data (personal_data.py) is added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import phrases as P
from .personal_data import personal_sentence

TOPICS = tuple(P.PROBLEMS)
#: Answer shapes and their shares among substantive answers.
SHAPES = (
    ("terse", 0.10),
    ("colloquial", 0.18),
    ("formal", 0.22),
    ("problem_and_suggestion", 0.18),
    ("two_issues", 0.14),
    ("negation", 0.08),
    ("long", 0.10),
)


@dataclass(frozen=True)
class OpenAnswer:
    text: str
    topics: tuple[str, ...] = ()  # grievance codes the answer is about (not negated ones)
    negated: tuple[str, ...] = ()
    kind: str = "substantive"  # substantive, empty, off_topic
    personal: frozenset[str] = field(default_factory=frozenset)


def _one(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _strip_lead(text: str) -> str:
    for lead in ("建议", "希望"):
        if text.startswith(lead):
            return text[len(lead) :]
    return text


def _opener(rng: np.random.Generator, sector: str, young: bool) -> str:
    roll = rng.uniform()
    if young and roll < 0.2:
        return _one(rng, P.YOUNG_OPENERS)
    if sector in P.SECTOR_OPENERS and roll < 0.35:
        return _one(rng, P.SECTOR_OPENERS[sector])
    return _one(rng, P.OPENERS)


def _shape(rng: np.random.Generator) -> str:
    names = [s for s, _ in SHAPES]
    weights = np.array([w for _, w in SHAPES])
    return names[int(rng.choice(len(names), p=weights / weights.sum()))]


def _topics(rng: np.random.Generator, own: Sequence[str], k: int) -> list[str]:
    """``k`` distinct topics, mostly from the respondent's own difficulties."""
    own = [code for code in own if code in P.PROBLEMS]
    chosen: list[str] = []
    while len(chosen) < k:
        pool = own if own and rng.uniform() < 0.85 else TOPICS
        pick = _one(rng, [c for c in pool if c not in chosen] or TOPICS)
        if pick not in chosen:
            chosen.append(pick)
    return chosen


def compose(
    rng: np.random.Generator,
    own: Sequence[str],
    *,
    sector: str = "",
    young: bool = False,
    suggestion: bool = True,
    personal: bool = False,
    empty_share: float = 0.08,
    off_topic_share: float = 0.04,
) -> OpenAnswer:
    """One open answer. ``suggestion`` favours suggestions (K1) over problems (K2)."""
    if not personal:
        roll = rng.uniform()
        if roll < empty_share:
            return OpenAnswer(_one(rng, P.EMPTY), kind="empty")
        if roll < empty_share + off_topic_share:
            return OpenAnswer(
                _one(rng, P.OFF_TOPIC) + _one(rng, ("", "。", "！")), kind="off_topic"
            )
    shape = _shape(rng)
    answer = _substantive(rng, shape, own, sector, young, suggestion)
    if personal:
        sentence, kinds = personal_sentence(rng)
        text = sentence + answer.text if rng.uniform() < 0.3 else _end(answer.text) + sentence
        return OpenAnswer(text, answer.topics, answer.negated, answer.kind, frozenset(kinds))
    return answer


def _end(text: str) -> str:
    return text if text.endswith(("。", "！", "？")) else text + "。"


def _substantive(
    rng: np.random.Generator, shape: str, own: Sequence[str], sector: str, young: bool, k1: bool
) -> OpenAnswer:
    if shape == "two_issues":
        a, b = _topics(rng, own, 2)
        if k1:
            first, second = _one(rng, P.SUGGESTIONS[a]), _one(rng, P.SUGGESTIONS[b])
            text = _one(
                rng,
                (
                    f"一是{_strip_lead(first)}；二是{_strip_lead(second)}。",
                    f"{first}，同时{_strip_lead(second)}。",
                    f"{first}。另外，{second}。",
                ),
            )
        else:
            text = _one(
                rng,
                (
                    f"{_one(rng, P.PROBLEMS[a])}；另外，{_one(rng, P.PROBLEMS[b])}。",
                    f"{_one(rng, P.SHORT[a])}、{_one(rng, P.SHORT[b])}",
                    f"{_one(rng, P.PROBLEMS[a])}，还有就是{_one(rng, P.PROBLEMS[b])}。",
                ),
            )
        return OpenAnswer(text, (a, b))
    if shape == "negation":
        (b,) = _topics(rng, own, 1)
        fine = [c for c in P.FINE if c != b]
        a = _one(rng, fine)
        tail = _one(rng, P.SHORT[b]) if rng.uniform() < 0.5 else _one(rng, P.PROBLEMS[b])
        text = f"{_one(rng, P.FINE[a])}{_one(rng, P.BUT)}{tail}"
        if k1 and rng.uniform() < 0.5:
            text = f"{_end(text)}{_one(rng, P.SUGGESTIONS[b])}。"
        return OpenAnswer(_end(text) if rng.uniform() < 0.7 else text, (b,), (a,))
    (a,) = _topics(rng, own, 1)
    if shape == "terse":
        return OpenAnswer(_one(rng, P.SHORT[a]) + _one(rng, ("", "", "。", "！")), (a,))
    if shape == "colloquial":
        return OpenAnswer(_one(rng, P.PROBLEMS[a]) + _one(rng, P.COLLOQUIAL_TAILS), (a,))
    if shape == "formal":
        lead = _opener(rng, sector, young)
        body = _one(rng, P.SUGGESTIONS[a]) if k1 else _one(rng, P.PROBLEMS[a])
        return OpenAnswer(f"{lead}{body}。", (a,))
    if shape == "problem_and_suggestion":
        text = f"{_one(rng, P.PROBLEMS[a])}，{_one(rng, P.SUGGESTIONS[a])}。"
        return OpenAnswer(_opener(rng, sector, young) + text, (a,))
    # long: opener, two problems of one issue, a suggestion, a closer
    problems = P.PROBLEMS[a]
    i, j = rng.choice(len(problems), size=2, replace=False)
    text = (
        f"{_opener(rng, sector, young)}{problems[int(i)]}。{problems[int(j)]}。"
        f"{_one(rng, P.SUGGESTIONS[a])}。{_one(rng, P.CLOSERS)}"
    )
    return OpenAnswer(text, (a,))


def other_text(rng: np.random.Generator, code: str) -> str:
    """A short answer for ``<item>_other``."""
    return _one(rng, P.OTHER_TEXTS.get(code, P.OTHER_TEXTS["J1_other"]))


def distinct_sentences() -> set[str]:
    """Every base sentence of the bank (for the "several hundred" check)."""
    out: set[str] = set()
    for bank in (P.PROBLEMS, P.SHORT, P.SUGGESTIONS, P.FINE):
        for values in bank.values():
            out.update(values)
    out.update(P.EMPTY)
    out.update(P.OFF_TOPIC)
    return out
