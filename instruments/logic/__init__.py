"""The logic language of relevance conditions and constraints (an XLSForm/XPath subset).

Parsing and evaluation are done by hand — never ``eval``/``exec`` — and
``instruments/static/instruments/logic.js`` implements the same language for the
respondent's browser. The two are held together by the shared vectors in
``instruments/logic_vectors.json``: both test suites run every vector.

Language::

    ${B1_hours} >= 40 and selected(${J1}, 'G05')
    . >= 1900 and . <= 2010
    if(${A1} = 'm', 1, 2) * -count-selected(${J1}) div 3 mod 2
    not(string-length(coalesce(${K1}, '')) > 500)

``${code}`` is an answer, ``.`` the answer to the item the expression belongs to; numbers,
strings in ``'`` or ``"``; operators ``or and = != < <= > >= + - * div mod`` and unary
minus (XPath precedence); functions ``selected count-selected string-length if coalesce
int number not true false``. Lexical details are in :mod:`.tokenizer`, precedence in
:mod:`.parser`, meaning in :mod:`.evaluator` and :mod:`.values`.

Answer values (the ``answers`` mapping, keyed by item code):

* missing or unanswered: ``None`` (or the key is absent);
* single choice: the option code, ``str``;
* multiple choice: ``list[str]`` of option codes (a space-separated ``str`` works too,
  as XLSForm stores it);
* integer and year: ``int``; decimal: ``float``; text: ``str``.

Results are XPath values: ``bool``, ``float`` (every number, like JavaScript) or ``str``;
a missing answer evaluates to ``''``. Use :func:`is_true` for relevance and constraints.

Limits: 10,000 characters and 100 levels of nesting (parentheses, and depth of the
syntax tree), so hostile input fails with :class:`LogicSyntaxError`, not RecursionError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import LogicError, LogicEvalError, LogicSyntaxError
from .evaluator import evaluate_tree
from .nodes import Binary, Call, Current, Expr, Number, Ref, String, Unary, walk
from .parser import FUNCTIONS, parse
from .printer import unparse
from .values import from_answer, to_bool

__all__ = [
    "FUNCTIONS",
    "Binary",
    "Call",
    "Current",
    "Expr",
    "LogicError",
    "LogicEvalError",
    "LogicSyntaxError",
    "Number",
    "Ref",
    "String",
    "Unary",
    "evaluate",
    "is_true",
    "parse",
    "references",
    "unparse",
    "uses_current",
]


def references(expr: Expr) -> list[str]:
    """Item codes used through ``${...}``, in order of first appearance, without repeats."""
    seen: dict[str, None] = {}
    for node in walk(expr):
        if isinstance(node, Ref):
            seen.setdefault(node.name)
    return list(seen)


def uses_current(expr: Expr) -> bool:
    """Whether ``expr`` refers to the current answer with ``.``."""
    return any(isinstance(node, Current) for node in walk(expr))


def evaluate(expr: Expr | str, answers: Mapping[str, Any], current: Any = None) -> Any:
    """The value of ``expr`` (parsed first if it is source text) for these answers.

    ``current`` is the answer ``.`` stands for. Raises LogicSyntaxError for bad source and
    LogicEvalError only when a referenced answer has a type logic cannot use (a dict, a
    date...); missing answers, NaN and division by zero are ordinary values.
    """
    tree = parse(expr) if isinstance(expr, str) else expr
    return evaluate_tree(tree, answers, current)


def is_true(value: Any) -> bool:
    """XPath ``boolean()`` of a result or a raw answer: false for ``None``, ``''``, an
    empty selection, ``0``, NaN and ``False``; true otherwise."""
    return to_bool(from_answer(value, None))
