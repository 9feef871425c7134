"""Prints a syntax tree back to source text that parses to an equal tree."""

from __future__ import annotations

import math

from .nodes import (
    PRECEDENCE,
    UNARY_PRECEDENCE,
    Binary,
    Call,
    Current,
    Expr,
    Number,
    Ref,
    String,
    Unary,
    precedence,
)
from .values import to_string


def unparse(expr: Expr) -> str:
    """Canonical source of ``expr``: single spaces around binary operators, ``, `` between
    arguments, and only the parentheses the precedence rules need.

    Raises ValueError for trees no source text can produce: a negative or non-finite
    number literal, or a string containing both quote characters.
    """
    match expr:
        case Number(value=value):
            return _number(value)
        case String(value=value):
            return _string(value)
        case Ref(name=name):
            return "${" + name + "}"
        case Current():
            return "."
        case Unary(operand=operand):
            return "-" + _wrap(operand, precedence(operand) < UNARY_PRECEDENCE)
        case Binary(op=op, left=left, right=right):
            level = PRECEDENCE[op]
            left_text = _wrap(left, precedence(left) < level)
            right_text = _wrap(right, precedence(right) <= level)
            return f"{left_text} {op} {right_text}"
        case Call(name=name, args=args):
            return name + "(" + ", ".join(unparse(arg) for arg in args) + ")"
    raise TypeError(f"not a logic expression: {expr!r}")


def _wrap(expr: Expr, needs_parentheses: bool) -> str:
    text = unparse(expr)
    return f"({text})" if needs_parentheses else text


def _number(value: float) -> str:
    if not math.isfinite(value) or math.copysign(1.0, value) < 0:
        raise ValueError(f"number literal cannot be written: {value!r}")
    return to_string(value)


def _string(value: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise ValueError("a string literal cannot contain both kinds of quote")
