"""Word segmentation of normalised answers: jieba with the domain user dictionary.

One private :class:`jieba.Tokenizer` (not jieba's global one, which other code may
configure) is built on first use, under a lock, from jieba's own dictionary (cached by
jieba in the temp directory: ~1 s the first time in a process) plus
``data/userdict.txt`` (报销, 唯论文, 非升即走, 职称评审, 横向课题 …). Segmentation runs
with the HMM off: new-word guessing is slow and invents words from typos; the user
dictionary supplies the domain's words instead.

``tokens`` drops stopwords (``data/stopwords.txt``), punctuation, whitespace and pure
numbers; negators such as 不/没/无 are *not* stopwords (they matter for meaning).
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache, lru_cache
from importlib import resources
from typing import Any

__all__ = ["segment", "stopwords", "tokenizer", "tokens", "user_words"]

_lock = threading.Lock()
_tokenizer: Any = None
_SKIP = re.compile(r"^(?:[\s\W_]+|\d+(?:\.\d+)?)$")


def _data(name: str) -> str:
    return resources.files("analysis.text").joinpath("data", name).read_text("utf-8")


@cache
def user_words() -> tuple[str, ...]:
    """The words of the domain user dictionary."""
    out = []
    for line in _data("userdict.txt").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line.split()[0])
    return tuple(out)


@cache
def stopwords() -> frozenset[str]:
    lines = (ln.strip() for ln in _data("stopwords.txt").splitlines())
    return frozenset(ln for ln in lines if ln and not ln.startswith("#"))


def tokenizer() -> Any:
    """The shared jieba tokenizer with the user dictionary loaded (built once)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                for line in _data("userdict.txt").splitlines():
                    parts = line.split()
                    if parts and not parts[0].startswith("#"):
                        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                        tk.add_word(parts[0], freq)
                _tokenizer = tk
    return _tokenizer


def segment(text: str) -> list[str]:
    """All words of a normalised text, punctuation included (jieba, HMM off)."""
    if not text:
        return []
    return list(_segment(text))


@lru_cache(maxsize=200_000)
def _segment(text: str) -> tuple[str, ...]:
    # Clauses repeat across answers (「经费不足」); a text's words depend on nothing else.
    return tuple(tokenizer().lcut(text, HMM=False))


def tokens(text: str) -> list[str]:
    """Content words: no stopwords, punctuation, spaces or bare numbers."""
    stop = stopwords()
    return [w for w in segment(text) if w not in stop and not _SKIP.match(w)]
