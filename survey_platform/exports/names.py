"""Variable names valid in SPSS and Stata at once (pure Python, no Django).

Every export of a wave uses the same names, so one set of rules serves both programs:

* Stata: at most 32 characters, ASCII letters, digits and ``_``, not starting with a digit,
  not a reserved word (``if``, ``in``, ``_n``, ``byte``, ``str12`` ...); case-sensitive.
* SPSS: at most 64 bytes, starting with a letter, no blanks; ``.`` is allowed but a name
  must not end with ``.`` or ``_``; reserved words ``ALL AND BY EQ GE GT LE LT NE NOT OR TO
  WITH``; names are case-insensitive, so ``q1`` and ``Q1`` are the same variable.

The common subset: ``[A-Za-z][A-Za-z0-9_]*``, at most 32 characters, not ending with
``_``, no reserved word of either program, unique without regard to case. Item codes
of the standard questionnaire (``A1``, ``D2_r1``, ``J1__G01``) already follow it and are
kept as they are; anything else is mapped deterministically (invalid characters become
``_``, a leading digit gets a ``v`` prefix, long names are cut, and a clash gets a
numbered suffix).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_LENGTH = 32

SPSS_RESERVED = frozenset(
    ("ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH")
)
STATA_RESERVED = frozenset(
    (
        "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int",
        "long", "_n", "_N", "_pi", "_pred", "_rc", "_skip", "strL", "using", "with",
    )
)  # fmt: skip
#: Compared without case: a name Stata reads differently in another case confuses users.
_STATA_RESERVED_LOWER = frozenset(w.lower() for w in STATA_RESERVED)
_STATA_STR = re.compile(r"str\d+", re.IGNORECASE)
_VALID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def is_valid(name: str) -> bool:
    """True when ``name`` is a variable name both SPSS and Stata accept as it is."""
    return bool(
        len(name) <= MAX_LENGTH
        and _VALID.fullmatch(name)
        and not name.endswith("_")
        and name.upper() not in SPSS_RESERVED
        and name.lower() not in _STATA_RESERVED_LOWER
        and not _STATA_STR.fullmatch(name)
    )


def _clean(code: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", code.strip())
    name = re.sub(r"_{3,}", "__", name).rstrip("_")
    if not name or not name[0].isalpha():
        name = f"v{name}".rstrip("_") if name else "v"
    name = name[:MAX_LENGTH].rstrip("_")
    if not is_valid(name):  # a reserved word: keep it recognisable
        name = f"{name[: MAX_LENGTH - 2]}_v"
    return name


def variable_names(codes: Iterable[str]) -> dict[str, str]:
    """``{code: export name}``: valid, unique regardless of case, stable for the same
    codes in the same order (earlier codes keep their natural name)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for code in codes:
        if code in out:
            continue
        base = _clean(code)
        name, k = base, 1
        while name.lower() in taken:
            k += 1
            suffix = f"_{k}"
            name = f"{base[: MAX_LENGTH - len(suffix)].rstrip('_')}{suffix}"
        taken.add(name.lower())
        out[code] = name
    return out
