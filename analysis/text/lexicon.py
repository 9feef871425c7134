"""Ordinary words, for telling names apart from words in the scrubber (:mod:`.names`,
:mod:`.units`): jieba's dictionary (its ``dict.txt``, MIT licence), read once on first
use (about a second; 11 MB kept) — its words of 2–4 characters seen at least 10 times,
with their frequency and the class of their part-of-speech tag.

jieba's tags are a guide, not a truth: some person names are tagged as places and some
ordinary words as names (杨树, 荣耀), so callers weigh the class with the frequency.
"""

from __future__ import annotations

import io
from functools import cache

__all__ = ["NAME", "NOUN", "OTHER", "PROPER", "common", "frequency", "kind"]

NAME, PROPER, NOUN, OTHER = range(4)
_NOUN_TAGS = frozenset({"n", "ng", "vn", "an", "nl", "s", "f", "t"})


def _class(tag: str) -> int:
    if tag.startswith("nr"):
        return NAME
    if tag in ("ns", "nt", "nz"):
        return PROPER
    return NOUN if tag in _NOUN_TAGS else OTHER


@cache
def _table() -> dict[str, int]:
    """word -> frequency * 4 + class (read line by line: 12 MB at most, not 60)."""
    import jieba

    out: dict[str, int] = {}
    with jieba.get_dict_file() as fh:
        for line in io.TextIOWrapper(fh, encoding="utf-8"):
            word, freq, tag = line.split()
            if 2 <= len(word) <= 4 and len(freq) > 1:
                out[word] = int(freq) * 4 + _class(tag)
    return out


def frequency(word: str) -> int:
    """How often jieba saw ``word`` (0: not a word of 2–4 characters it knows)."""
    return _table().get(word, 0) // 4


def kind(word: str) -> int | None:
    """The class of ``word``'s tag (``NAME``, ``PROPER``, ``NOUN``, ``OTHER``), or None."""
    value = _table().get(word)
    return None if value is None else value % 4


def common(word: str, *, names_below: int | None = None) -> int:
    """The frequency of ``word`` as an ordinary word: 0 for unknown words and for words
    tagged as names, or only for those seen less than ``names_below`` times (jieba tags
    many ordinary words as names: 文明, 阳光, 晋升, 荣耀, 杨树 …)."""
    value = _table().get(word, 0)
    if value % 4 == NAME and (names_below is None or value // 4 < names_below):
        return 0
    return value // 4
