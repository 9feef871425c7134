"""Composes the open answers of section K from the phrase bank (phrases.py).

An answer is about the respondent's own difficulties (J1) most of the time, sometimes
about another one. Its shape is drawn from several registers — a terse keyword, a
colloquial complaint, a formal suggestion, a long paragraph, two issues at once, a
negation (「经费还算充足，就是报销太麻烦」: the first issue is *not* a grievance) — and a
few answers are empty in content (「无」) or off-topic. At the configured rate a sentence
with fictional personal data (personal_data.py) is added.

Two steps: :func:`plan_answers` decides, for many people at once, what each would write
(kind, shape, the grievance codes it is about, the negated one); :func:`render` writes
one planned answer in Chinese. The simulator plans the answers of the whole population
— so the ground truth knows what everyone would complain about — and renders those of
the sampled respondents; :func:`compose` does both for one person.
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
KINDS = ("substantive", "empty", "off_topic")
#: Share of topic picks taken from the respondent's own difficulties (when any is left).
OWN_SHARE = 0.85
_SHAPE_NAMES = tuple(name for name, _ in SHAPES)
_TWO = _SHAPE_NAMES.index("two_issues")
_NEGATION = _SHAPE_NAMES.index("negation")
_FINE = np.array([code in P.FINE for code in TOPICS])


@dataclass(frozen=True)
class OpenAnswer:
    text: str
    topics: tuple[str, ...] = ()  # grievance codes the answer is about (not negated ones)
    negated: tuple[str, ...] = ()
    kind: str = "substantive"  # substantive, empty, off_topic
    personal: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, eq=False)
class Plans:
    """Planned open answers of ``n`` people (one item). ``writes``: whether the person
    writes one; ``kind`` indexes KINDS; ``shape`` SHAPES (-1 unless substantive);
    ``topics`` (n, 2) and ``negated`` (n,) index TOPICS (-1: none); ``personal``: a
    sentence with fictional personal data is added (such answers are substantive)."""

    writes: np.ndarray
    kind: np.ndarray
    shape: np.ndarray
    topics: np.ndarray
    negated: np.ndarray
    personal: np.ndarray

    def about(self) -> np.ndarray:
        """(n, len(TOPICS)) booleans: the codes each written answer is about."""
        out = np.zeros((self.writes.size, len(TOPICS)), dtype=bool)
        for j in range(self.topics.shape[1]):
            rows = np.flatnonzero(self.writes & (self.topics[:, j] >= 0))
            out[rows, self.topics[rows, j]] = True
        return out


def own_topics(chosen: np.ndarray, options: Sequence[str]) -> np.ndarray:
    """(n, len(TOPICS)) booleans from a multi-select matrix over ``options`` (J1)."""
    out = np.zeros((chosen.shape[0], len(TOPICS)), dtype=bool)
    for j, option in enumerate(options):
        if option in TOPICS:
            out[:, TOPICS.index(option)] = chosen[:, j]
    return out


def _uniform_in(rng: np.random.Generator, pool: np.ndarray) -> np.ndarray:
    """Per row, one column drawn uniformly among the True ones of ``pool`` (n, k)."""
    keys = rng.uniform(size=pool.shape)
    return np.argmax(np.where(pool, keys, -1.0), axis=1)


def plan_answers(
    rng: np.random.Generator,
    own: np.ndarray,
    writes: np.ndarray,
    personal: np.ndarray,
    *,
    empty_share: float = 0.08,
    off_topic_share: float = 0.04,
) -> Plans:
    """What each of ``n`` people would write: ``own`` (n, len(TOPICS)) are their own
    difficulties, ``writes`` whether they write, ``personal`` whether personal data is
    added (never to an empty or off-topic answer)."""
    n: int = own.shape[0]  # (numpy's shapes are Any; an int makes choice() an array)
    roll = rng.uniform(size=n)
    kind = np.where(roll < empty_share, 1, np.where(roll < empty_share + off_topic_share, 2, 0))
    kind = np.where(personal, 0, kind)
    weights = np.array([w for _, w in SHAPES])
    shape = rng.choice(len(SHAPES), size=n, p=weights / weights.sum())
    shape = np.where(kind == 0, shape, -1)
    count = np.where(kind != 0, 0, np.where(shape == _TWO, 2, 1))
    topics = np.full((n, 2), -1, dtype=np.int64)
    chosen = np.zeros((n, len(TOPICS)), dtype=bool)
    for j in range(2):
        left = own & ~chosen
        use_own = left.any(axis=1) & (rng.uniform(size=n) < OWN_SHARE)
        pick = _uniform_in(rng, np.where(use_own[:, None], left, ~chosen))
        active = np.flatnonzero(count > j)
        topics[active, j] = pick[active]
        chosen[active, pick[active]] = True
    fine = _FINE[None, :] & (np.arange(len(TOPICS))[None, :] != topics[:, :1])
    negated = np.where(shape == _NEGATION, _uniform_in(rng, fine), -1)
    return Plans(writes, kind, shape, topics, negated, personal & writes)


def render(
    rng: np.random.Generator,
    plans: Plans,
    i: int,
    *,
    sector: str = "",
    young: bool = False,
    suggestion: bool = True,
) -> OpenAnswer:
    """The text of person ``i``'s planned answer. ``suggestion`` favours suggestions (K1)
    over problems (K2)."""
    kind = KINDS[int(plans.kind[i])]
    if kind == "empty":
        return OpenAnswer(_one(rng, P.EMPTY), kind="empty")
    if kind == "off_topic":
        return OpenAnswer(_one(rng, P.OFF_TOPIC) + _one(rng, ("", "。", "！")), kind="off_topic")
    topics = tuple(TOPICS[int(t)] for t in plans.topics[i] if t >= 0)
    negated = TOPICS[int(plans.negated[i])] if plans.negated[i] >= 0 else ""
    shape = _SHAPE_NAMES[int(plans.shape[i])]
    answer = _substantive(rng, shape, topics, negated, sector, young, suggestion)
    if plans.personal[i]:
        sentence, kinds = personal_sentence(rng)
        text = sentence + answer.text if rng.uniform() < 0.3 else _end(answer.text) + sentence
        return OpenAnswer(text, answer.topics, answer.negated, answer.kind, frozenset(kinds))
    return answer


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
    """One open answer of a person whose own difficulties are ``own`` (plan + render)."""
    mine = np.array([[code in own for code in TOPICS]])
    plans = plan_answers(
        rng,
        mine,
        np.ones(1, dtype=bool),
        np.array([personal]),
        empty_share=empty_share,
        off_topic_share=off_topic_share,
    )
    return render(rng, plans, 0, sector=sector, young=young, suggestion=suggestion)


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


def _end(text: str) -> str:
    return text if text.endswith(("。", "！", "？")) else text + "。"


def _substantive(
    rng: np.random.Generator,
    shape: str,
    topics: tuple[str, ...],
    negated: str,
    sector: str,
    young: bool,
    k1: bool,
) -> OpenAnswer:
    if shape == "two_issues":
        a, b = topics
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
        (b,), a = topics, negated
        tail = _one(rng, P.SHORT[b]) if rng.uniform() < 0.5 else _one(rng, P.PROBLEMS[b])
        text = f"{_one(rng, P.FINE[a])}{_one(rng, P.BUT)}{tail}"
        if k1 and rng.uniform() < 0.5:
            text = f"{_end(text)}{_one(rng, P.SUGGESTIONS[b])}。"
        return OpenAnswer(_end(text) if rng.uniform() < 0.7 else text, (b,), (a,))
    (a,) = topics
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
