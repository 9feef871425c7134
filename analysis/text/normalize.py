"""Normalisation of Chinese open answers before segmentation and classification.

``normalize`` makes answers typed on different phones and input methods comparable:

1. Unicode NFKC: full-width Latin letters, digits and punctuation become half-width
   (ＡＢＣ１２３ -> ABC123), compatibility forms are folded (① -> 1);
2. traditional characters become simplified through a small table (:mod:`._t2s`);
3. Latin letters are lower-cased;
4. punctuation is unified: clause breaks become ``，`` (commas, semicolons, colons, line
   breaks, spaces between Chinese characters) and sentence ends ``。`` (full stops,
   question and exclamation marks, ellipses; a point between digits stays a decimal
   point); brackets and quotation marks are dropped; ``、`` (enumeration) is kept;
5. emoji, pictographs, other symbols, control and private-use characters are removed;
6. runs of the same break collapse, breaks at either end are stripped.

Answers longer than ``max_chars`` are cut first (classification needs no more; a 10,000
character answer then costs no more than a long one). The result is for analysis only:
quotes shown to people are the scrubbed original text (:func:`analysis.text.scrub`),
not the normalised one.
"""

from __future__ import annotations

import re
import unicodedata

from ._t2s import T2S

__all__ = ["CLAUSE_BREAK", "MAX_CHARS", "SENTENCE_END", "is_blank", "normalize", "to_halfwidth"]

MAX_CHARS = 4000
CLAUSE_BREAK = "，"
SENTENCE_END = "。"

# full-width digits, Latin letters and the signs of numbers and addresses; Chinese
# punctuation (，。！？：；) stays as it is
_HALF = {
    cp: cp - 0xFEE0
    for cp in (
        *range(0xFF10, 0xFF1A),
        *range(0xFF21, 0xFF3B),
        *range(0xFF41, 0xFF5B),
        0xFF20,
        0xFF0B,
        0xFF0D,
        0xFF0E,
        0xFF3F,
        0xFF08,
        0xFF09,
    )
}

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# emoji, pictographs, dingbats, arrows, geometric shapes, variation selectors, ZWJ,
# private use, control and format characters (tab and newline become breaks first)
_DROP = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202f"
    "\u2060-\u206f\u2190-\u21ff\u2300-\u23ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff"
    "\u3030\u303d\ud800-\udfff\ue000-\uf8ff\ufe00-\ufe0f\ufeff\U0001f000-\U0001faff\U000e0000-\U000e007f"
    "#*^_`|~<>=+\\\\/@&$\u00a2-\u00a9\u00ae-\u00b1\u00b4\u00b6-\u00b8\u00d7\u00f7]"
)
_QUOTES = re.compile(
    "[\"'\u2018\u2019\u201c\u201d\u300c\u300d\u300e\u300f\u300a\u300b"
    "\u3008\u3009()\\[\\]{}\u3010\u3011\u3014\u3015\u3016\u3017]"
)
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")
_BREAK = re.compile("[,;:\uff0c\uff1b\uff1a\n\r\t]+")
_END = re.compile("(?:(?<!\\d)\\.|\\.(?!\\d)|[!?\u3002\uff01\uff1f\u2026])+")
_SPACES = re.compile("\\s+")
_RUNS = re.compile("[，。]*。[，。]*|，{2,}")
_EDGES = re.compile("^[\\s，。、]+|[\\s，。、]+$")


def to_halfwidth(text: str) -> str:
    """Full-width digits, Latin letters and ＠＋－．＿（） as half-width (same length, so
    character offsets stay valid; the scrubber relies on this)."""
    return text.translate(_HALF)


def normalize(text: str | None, max_chars: int = MAX_CHARS) -> str:
    """The analysis form of an answer ("" for None or blank answers)."""
    if not text:
        return ""
    s = text[:max_chars]
    s = unicodedata.normalize("NFKC", s).translate(T2S).lower()
    s = _QUOTES.sub("", s)
    s = _DROP.sub("", s)
    s = _SPACE_BETWEEN_CJK.sub(CLAUSE_BREAK, s)
    s = _BREAK.sub(CLAUSE_BREAK, s)
    s = _END.sub(SENTENCE_END, s)
    s = _SPACES.sub(" ", s)
    s = s.replace(" ，", "，").replace("， ", "，").replace(" 。", "。").replace("。 ", "。")
    s = _RUNS.sub(lambda m: SENTENCE_END if SENTENCE_END in m.group() else CLAUSE_BREAK, s)
    return _EDGES.sub("", s)


def is_blank(text: str | None) -> bool:
    """No letter, digit or Chinese character at all (empty, spaces, only emoji/punctuation)."""
    return not normalize(text)
