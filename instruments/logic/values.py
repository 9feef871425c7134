"""XPath 1.0 values and conversions, as the logic language uses them.

During evaluation every value is one of three XPath types: ``bool``, ``float`` (all
numbers, as in JavaScript, so both evaluators agree bit for bit) or ``str``.
Answers enter through :func:`from_answer`:

============================  =========================================================
answer                        value
============================  =========================================================
``None`` / missing            ``''`` (so it equals ``''`` and its number is NaN)
``bool``                      the boolean
``int`` / ``float``           the float (ints too large for a float become ±Infinity;
                              other real numbers, e.g. numpy's, are converted too)
``str``                       the string
``list`` / ``tuple``          the items joined by single spaces, as XLSForm stores a
                              multiple choice (items must be strings or numbers)
============================  =========================================================

Anything else (dicts, dates, ...) raises :class:`LogicEvalError` when it is referenced.
"""

from __future__ import annotations

import math
import numbers
import re
from decimal import Decimal
from typing import Any

from . import errors
from .errors import LogicEvalError
from .tokenizer import WHITESPACE

Value = bool | float | str

_WS_CLASS = "[ \t\r\n\u00a0\u3000]"
_NUMBER_RE = re.compile(rf"{_WS_CLASS}*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)){_WS_CLASS}*")
_WS_SPLIT_RE = re.compile(f"{_WS_CLASS}+")


def from_answer(answer: Any, code: str | None) -> Value:
    """Convert a stored answer to a value; ``code`` is None for the current answer ``.``."""
    if answer is None:
        return ""
    if isinstance(answer, bool | str):
        return answer
    if isinstance(answer, numbers.Real):
        return _to_float(answer)
    if isinstance(answer, list | tuple):
        return " ".join(_list_item(item, answer, code) for item in answer)
    raise _bad_answer(answer, code)


def _list_item(item: Any, answer: Any, code: str | None) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, numbers.Real) and not isinstance(item, bool):
        return to_string(_to_float(item))
    raise _bad_answer(answer, code)


def _to_float(number: numbers.Real) -> float:
    try:
        return float(number)
    except OverflowError:
        # typeshed's numbers.Real declares __lt__ but not __gt__
        return math.inf if number > 0 else -math.inf  # type: ignore[operator]


def _bad_answer(answer: Any, code: str | None) -> LogicEvalError:
    shown = repr(answer)
    shown = shown if len(shown) <= 40 else shown[:40] + "…"
    if code is None:
        return LogicEvalError.of(errors.BAD_CURRENT, value=shown)
    return LogicEvalError.of(errors.BAD_ANSWER, code=code, value=shown)


def to_bool(value: Value) -> bool:
    """XPath ``boolean()``: numbers are true unless 0 or NaN; strings unless empty."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return value != ""


def to_number(value: Value) -> float:
    """XPath ``number()``: true is 1, false 0; a string is NaN unless it is a plain decimal.

    Plain decimal: optional ``-``, digits with an optional fraction (``5``, ``5.``, ``.5``,
    ``-2.50``) and surrounding whitespace; no ``+``, exponent or thousands separators.
    """
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    match = _NUMBER_RE.fullmatch(value)
    return float(match.group(1)) if match else math.nan


def to_string(value: Value) -> str:
    """XPath ``string()``: ``true``/``false``; numbers without exponent or trailing ``.0``.

    NaN is ``NaN``, infinities are ``Infinity`` and ``-Infinity``, ``-0`` is ``0``; other
    numbers use the shortest digits that read back as the same float (as JavaScript does).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def equals(left: Value, right: Value) -> bool:
    """XPath ``=``: as booleans if either side is one, else as numbers if either side is
    one (so ``'' = 0`` is false: NaN equals nothing), else as strings."""
    if isinstance(left, bool) or isinstance(right, bool):
        return to_bool(left) == to_bool(right)
    if isinstance(left, float) or isinstance(right, float):
        return to_number(left) == to_number(right)
    return left == right


def split_selection(value: Value) -> list[str]:
    """The option codes of a multiple-choice value (whitespace-separated)."""
    return [part for part in _WS_SPLIT_RE.split(to_string(value)) if part]


def strip(text: str) -> str:
    """``text`` without leading and trailing logic whitespace."""
    return text.strip("".join(WHITESPACE))
