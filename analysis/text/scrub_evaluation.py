"""How well the personal-data scrubber does on a labelled set (default: the frozen
evaluation set ``data/personal_data_eval.tsv``, written before the rules were tuned).

The file holds one answer per line: the text, then one ``kind=exact text`` column per
personal-data string; lines starting with ``#`` are comments, the first other line is
the column header. A labelled string is **caught** when every character of every place
where it occurs in its answer is inside a replaced span (whatever kind the scrubber
gave it). The figures:

* ``recall`` — caught strings / labelled strings, over all kinds;
* ``kind_recall(kind)`` — the same for one kind (``name_recall`` for names);
* ``nonpersonal_removed`` — the share of characters *outside* every labelled string
  that the scrubber replaced (over-masking; whitespace counts too);
* ``ms_per_answer`` — the scrubber's time per answer, after one warm-up call (the first
  call loads jieba's dictionary).

Pure Python; :func:`evaluate` takes any function with ``scrub``'s signature.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .scrub import KINDS, ScrubResult, scrub

__all__ = [
    "EVAL_FILE",
    "EvalAnswer",
    "Miss",
    "ScrubEvaluation",
    "evaluate",
    "read_eval_set",
]

EVAL_FILE = "personal_data_eval.tsv"

Scrubber = Callable[[str, Iterable[str]], ScrubResult]


@dataclass(frozen=True)
class EvalAnswer:
    """An answer and its labelled personal-data strings, as ``(kind, text)`` pairs."""

    text: str
    spans: tuple[tuple[str, str], ...]
    line: int = 0


@dataclass(frozen=True)
class Miss:
    """A labelled string that was not (wholly) masked, or a non-personal stretch that was."""

    kind: str
    value: str
    text: str
    scrubbed: str


@dataclass(frozen=True)
class ScrubEvaluation:
    answers: int
    clean_answers: int
    strings: dict[str, int]
    caught: dict[str, int]
    nonpersonal_chars: int
    nonpersonal_removed_chars: int
    seconds: float
    misses: tuple[Miss, ...] = ()
    over_masked: tuple[Miss, ...] = field(default=())

    @property
    def recall(self) -> float:
        total = sum(self.strings.values())
        return sum(self.caught.values()) / total if total else 1.0

    def kind_recall(self, kind: str) -> float:
        n = self.strings.get(kind, 0)
        return self.caught.get(kind, 0) / n if n else 1.0

    @property
    def name_recall(self) -> float:
        return self.kind_recall("name")

    @property
    def nonpersonal_removed(self) -> float:
        n = self.nonpersonal_chars
        return self.nonpersonal_removed_chars / n if n else 0.0

    @property
    def ms_per_answer(self) -> float:
        return 1000 * self.seconds / self.answers if self.answers else 0.0

    def report(self) -> str:
        """The figures as lines of text, kinds in ``KINDS`` order."""
        lines = [
            f"{self.answers} answers ({self.clean_answers} without personal data), "
            f"{sum(self.strings.values())} personal-data strings",
            f"recall {100 * self.recall:.1f} %, names {100 * self.name_recall:.1f} %",
        ]
        for kind in KINDS:
            if self.strings.get(kind):
                lines.append(
                    f"  {kind:<10} {self.caught.get(kind, 0):>4}/{self.strings[kind]:<4} "
                    f"{100 * self.kind_recall(kind):.1f} %"
                )
        lines.append(
            f"non-personal characters removed {self.nonpersonal_removed_chars}/"
            f"{self.nonpersonal_chars} = {100 * self.nonpersonal_removed:.2f} %"
        )
        lines.append(f"time {self.ms_per_answer:.3f} ms per answer")
        return "\n".join(lines)


def read_eval_set(path: str | Path | None = None) -> list[EvalAnswer]:
    """The labelled answers of ``path`` (default: the packaged frozen evaluation set)."""
    if path is None:
        raw = resources.files("analysis.text").joinpath("data", EVAL_FILE).read_text("utf-8")
    else:
        raw = Path(path).read_text("utf-8")
    out: list[EvalAnswer] = []
    header_seen = False
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            continue
        text, *columns = line.split("\t")
        spans: list[tuple[str, str]] = []
        for column in columns:
            if not column:
                continue
            kind, sep, value = column.partition("=")
            if not sep or kind not in KINDS or not value or value not in text:
                raise ValueError(f"line {n}: bad span {column!r}")
            spans.append((kind, value))
        out.append(EvalAnswer(text, tuple(spans), n))
    return out


def _occurrences(text: str, value: str) -> list[int]:
    out, at = [], text.find(value)
    while at >= 0:
        out.append(at)
        at = text.find(value, at + 1)
    return out


def evaluate(
    answers: Sequence[EvalAnswer] | None = None,
    scrubber: Scrubber = scrub,
    units: Iterable[str] = (),
) -> ScrubEvaluation:
    """Scrub every answer and compare the replaced ranges with the labels."""
    rows = read_eval_set() if answers is None else list(answers)
    unit_list = tuple(units)
    if rows:
        scrubber(rows[0].text, unit_list)  # warm-up: jieba's dictionary, compiled patterns
    strings: dict[str, int] = {}
    caught: dict[str, int] = {}
    misses: list[Miss] = []
    over: list[Miss] = []
    outside = removed = 0
    seconds = 0.0
    for row in rows:
        start = time.perf_counter()
        res = scrubber(row.text, unit_list)
        seconds += time.perf_counter() - start
        masked = bytearray(len(row.text))
        for sp in res.spans:
            masked[sp.start : sp.end] = b"\x01" * (sp.end - sp.start)
        personal = bytearray(len(row.text))
        for kind, value in row.spans:
            strings[kind] = strings.get(kind, 0) + 1
            ok = True
            for at in _occurrences(row.text, value):
                personal[at : at + len(value)] = b"\x01" * len(value)
                ok = ok and all(masked[at : at + len(value)])
            if ok:
                caught[kind] = caught.get(kind, 0) + 1
            else:
                misses.append(Miss(kind, value, row.text, res.text))
        run = ""
        for i, ch in enumerate(row.text):
            if personal[i]:
                continue
            outside += 1
            if masked[i]:
                removed += 1
                run += ch
            elif run:
                over.append(Miss("", run, row.text, res.text))
                run = ""
        if run:
            over.append(Miss("", run, row.text, res.text))
    return ScrubEvaluation(
        answers=len(rows),
        clean_answers=sum(1 for r in rows if not r.spans),
        strings=strings,
        caught=caught,
        nonpersonal_chars=outside,
        nonpersonal_removed_chars=removed,
        seconds=seconds,
        misses=tuple(misses),
        over_masked=tuple(over),
    )
