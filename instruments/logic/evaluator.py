"""Evaluates a syntax tree against a respondent's answers.

Semantics follow XPath 1.0 as ODK applies it to XLSForms (values and conversions are in
:mod:`.values`):

* ``and``/``or`` short-circuit and give booleans; ``not(x)`` negates ``boolean(x)``.
* ``=``/``!=`` compare as booleans if either side is a boolean, else as numbers if either
  side is a number, else as strings. ``a != b`` is always ``not(a = b)``, so a NaN
  operand makes ``=`` false and ``!=`` true: ``${age} != ''`` is true once ``age`` is
  answered, even with 0.
* ``< <= > >=`` always compare numbers (XPath 1.0; strings are converted with
  ``number()``); any NaN operand makes them false.
* ``+ - * div mod`` and unary minus convert both sides with ``number()`` (true is 1, a
  missing answer is NaN) and follow IEEE 754: ``1 div 0`` is Infinity, ``0 div 0`` NaN;
  ``mod`` truncates, so the result has the dividend's sign (``-7 mod 3`` is ``-1``), and
  ``x mod 0`` is NaN.
* ``if(c, a, b)`` evaluates only the branch it returns; ``coalesce(a, b)`` is ``a`` unless
  ``a`` is the empty string (a missing answer), then ``b``. Numbers and booleans are never
  empty (a NaN is returned as is).
* ``selected(x, code)`` is true when ``code`` (trimmed) is one of the whitespace-separated
  codes of ``x``; ``count-selected(x)`` counts them.
* ``string-length(x)`` counts Unicode code points of ``string(x)`` (``'调查'`` is 2).
* ``int(x)`` truncates ``number(x)`` toward zero (``int(-3.7)`` is -3); NaN and the
  infinities are returned unchanged. ``number(x)`` is XPath ``number()``.
* ``true()`` and ``false()`` are the boolean constants.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from .nodes import Binary, Call, Current, Expr, Number, Ref, String, Unary
from .values import (
    Value,
    equals,
    from_answer,
    split_selection,
    strip,
    to_bool,
    to_number,
    to_string,
)


class _Evaluator:
    def __init__(self, answers: Mapping[str, Any], current: Any) -> None:
        self.answers = answers
        self.current = current

    def eval(self, expr: Expr) -> Value:
        match expr:
            case Number(value=value):
                return value
            case String(value=value):
                return value
            case Ref(name=name):
                return from_answer(self.answers.get(name), name)
            case Current():
                return from_answer(self.current, None)
            case Unary(operand=operand):
                return -to_number(self.eval(operand))
            case Binary():
                return self._binary(expr)
            case Call():
                return self._call(expr)
        raise TypeError(f"not a logic expression: {expr!r}")

    def _binary(self, expr: Binary) -> Value:
        op = expr.op
        if op == "or":
            return to_bool(self.eval(expr.left)) or to_bool(self.eval(expr.right))
        if op == "and":
            return to_bool(self.eval(expr.left)) and to_bool(self.eval(expr.right))
        left = self.eval(expr.left)
        right = self.eval(expr.right)
        if op == "=":
            return equals(left, right)
        if op == "!=":
            return not equals(left, right)
        return _NUMERIC_OPERATORS[op](to_number(left), to_number(right))

    def _call(self, expr: Call) -> Value:
        name, args = expr.name, expr.args
        if name == "if":
            return self.eval(args[1] if to_bool(self.eval(args[0])) else args[2])
        if name == "coalesce":
            first = self.eval(args[0])
            return self.eval(args[1]) if first == "" else first
        values = [self.eval(arg) for arg in args]
        return _FUNCTIONS[name](*values)


def divide(left: float, right: float) -> float:
    """IEEE 754 division (Python raises on a zero divisor; XPath does not)."""
    if right == 0:
        if left == 0 or math.isnan(left):
            return math.nan
        return math.copysign(math.inf, left) * math.copysign(1.0, right)
    return left / right


def modulo(left: float, right: float) -> float:
    """XPath ``mod``: the truncated remainder, like JavaScript's ``%`` and C's ``fmod``."""
    if math.isnan(left) or math.isnan(right) or math.isinf(left) or right == 0:
        return math.nan
    if math.isinf(right):
        return left
    return math.fmod(left, right)


def truncate(value: Value) -> float:
    number = to_number(value)
    if math.isnan(number) or math.isinf(number):
        return number
    return math.copysign(float(math.trunc(number)), number)


def _selected(selection: Value, code: Value) -> bool:
    return strip(to_string(code)) in split_selection(selection)


_NUMERIC_OPERATORS: dict[str, Callable[[float, float], Value]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "div": divide,
    "mod": modulo,
}

_FUNCTIONS: dict[str, Callable[..., Value]] = {
    "selected": _selected,
    "count-selected": lambda x: float(len(split_selection(x))),
    "string-length": lambda x: float(len(to_string(x))),
    "int": truncate,
    "number": to_number,
    "not": lambda x: not to_bool(x),
    "true": lambda: True,
    "false": lambda: False,
}


def evaluate_tree(expr: Expr, answers: Mapping[str, Any], current: Any = None) -> Value:
    return _Evaluator(answers, current).eval(expr)
