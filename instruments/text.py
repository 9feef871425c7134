"""What counts as valid text anywhere in the platform (pure Python, no Django).

Three kinds of code point are never text, whatever the field:

``nul``
    U+0000. PostgreSQL cannot store it in a text or jsonb column and SQLite stores it
    silently; no answer, name or label contains it.
``surrogate``
    U+D800–U+DFFF on its own. Python's :mod:`json` decodes an escaped ``"\\ud800"`` into
    a ``str`` holding half a character; it cannot be encoded as UTF-8, so one such answer
    makes every page, export and briefing that prints it fail.
``noncharacter``
    U+FDD0–U+FDEF and the last two code points of every plane (U+xFFFE, U+xFFFF):
    permanently reserved by Unicode for a program's internal use, never for interchange.

The same rules serve the request middleware, the API's JSON parser, the answer
validation, the questionnaire checks and the loader that sets stored answers aside, so
all of them agree on what is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final, Literal

TextProblem = Literal["nul", "surrogate", "noncharacter"]

#: Limit of a short text answer (one line) and of an "other, please specify" text.
SHORT_TEXT_LENGTH: Final = 200
#: Limit of a long (multi-line) text answer.
LONG_TEXT_LENGTH: Final = 2_000
#: No stored string is ever longer than this: a stored answer above it did not come
#: through the platform's checks and is set aside rather than analysed or exported.
MAX_STORED_TEXT_LENGTH: Final = 10_000

_PLANE_ENDS = "".join(f"{chr(plane * 0x10000 + 0xFFFE)}-{chr(plane * 0x10000 + 0xFFFF)}"
                      for plane in range(17))  # fmt: skip
#: Every code point that is never text, in one character class (one scan per string).
INVALID_CHARACTERS: Final = re.compile(f"[\x00\ud800-\udfff\ufdd0-\ufdef{_PLANE_ENDS}]")


def text_problem(text: str) -> TextProblem | None:
    """The kind of the first invalid code point in ``text`` (None when it is all text)."""
    found = INVALID_CHARACTERS.search(text)
    if found is None:
        return None
    point = ord(found.group())
    if point == 0:
        return "nul"
    if 0xD800 <= point <= 0xDFFF:
        return "surrogate"
    return "noncharacter"


def _strings(value: Any) -> Iterator[str]:
    # Keys too: a JSON object's keys become answer codes and column names.
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            if isinstance(key, str):
                yield key
            yield from _strings(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _strings(inner)


def value_problem(value: Any) -> TextProblem | None:
    """The first invalid code point's kind in any string of a JSON-like value."""
    for text in _strings(value):
        problem = text_problem(text)
        if problem is not None:
            return problem
    return None


def stored_value_ok(value: Any) -> bool:
    """Whether a stored value is safe to print, export and analyse: valid text and no
    string longer than :data:`MAX_STORED_TEXT_LENGTH`."""
    return all(
        len(text) <= MAX_STORED_TEXT_LENGTH and text_problem(text) is None
        for text in _strings(value)
    )


def without_invalid_text(answers: Mapping[str, Any]) -> dict[str, Any]:
    """``answers`` without the answers that are not safe to show (see
    :func:`stored_value_ok`): what a respondent's own form shows, to be answered again."""
    if stored_value_ok(answers):
        return dict(answers)
    return {k: v for k, v in answers.items() if stored_value_ok(k) and stored_value_ok(v)}


def text_limit(long: bool, max_length: int | None) -> int:
    """The most characters a text answer may have: the item's own ``max_length`` when it
    sets one, else the default of its kind; never above the storage ceiling."""
    default = LONG_TEXT_LENGTH if long else SHORT_TEXT_LENGTH
    return min(max_length or default, MAX_STORED_TEXT_LENGTH)
