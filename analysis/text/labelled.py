"""The team's labelled open answers (``data/labelled_answers.tsv``) and their split.

One answer per line, ``text<TAB>codes`` with codes comma-separated (empty: no code); the
first line is a header. The split into training and held-out answers is deterministic:
an answer is held out when the first 8 bytes of the blake2b hash of its text, as an
integer, fall in the lowest ``test_share`` of the range — the same answer always lands
on the same side, whatever is added to the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from instruments.messages import gettext_noop

from ..errors import AnalysisError

__all__ = ["LabelledAnswer", "held_out", "read_labelled", "split_labelled"]


@dataclass(frozen=True)
class LabelledAnswer:
    text: str
    codes: tuple[str, ...]
    line: int = 0


def read_labelled(path: str | Path | None = None) -> list[LabelledAnswer]:
    """The labelled answers (default: the packaged file)."""
    if path is None:
        raw = resources.files("analysis.text").joinpath("data", "labelled_answers.tsv")
        text = raw.read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if n == 1 or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise AnalysisError(
                gettext_noop("Line {line} of the labelled answers needs text<TAB>codes."),
                line=n,
            )
        codes = tuple(c.strip() for c in parts[1].split(",") if c.strip())
        out.append(LabelledAnswer(parts[0], codes, n))
    return out


def held_out(text: str, test_share: float = 0.25) -> bool:
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") < test_share * 2**64


def split_labelled(
    rows: Sequence[LabelledAnswer], test_share: float = 0.25
) -> tuple[list[LabelledAnswer], list[LabelledAnswer]]:
    """(training, held-out) answers by the hash rule of the module doc."""
    train: list[LabelledAnswer] = []
    test: list[LabelledAnswer] = []
    for r in rows:
        (test if held_out(r.text, test_share) else train).append(r)
    return train, test
