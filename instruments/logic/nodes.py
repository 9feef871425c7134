"""Syntax tree of a logic expression.

Nodes are frozen dataclasses. ``column`` (1-based, in code points) points at the token that
produced the node — the operator of a binary or unary node, the name of a call — and is
excluded from equality, so two trees compare equal when they mean the same expression.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Binary operators, lowest precedence first; operators on one row bind equally tightly
#: and associate to the left (XPath 1.0). Unary minus binds tighter than all of them.
PRECEDENCE_LEVELS: tuple[tuple[str, ...], ...] = (
    ("or",),
    ("and",),
    ("=", "!="),
    ("<", "<=", ">", ">="),
    ("+", "-"),
    ("*", "div", "mod"),
)
PRECEDENCE: dict[str, int] = {
    op: level for level, ops in enumerate(PRECEDENCE_LEVELS, start=1) for op in ops
}
#: Precedence of unary minus and of everything that cannot be split (literals, calls).
UNARY_PRECEDENCE = len(PRECEDENCE_LEVELS) + 1
ATOM_PRECEDENCE = UNARY_PRECEDENCE + 1
#: Binary operators spelled as words.
WORD_OPERATORS = frozenset({"and", "or", "div", "mod"})


@dataclass(frozen=True)
class Number:
    """A number literal (always non-negative; ``-3`` is ``Unary`` applied to ``3``)."""

    value: float
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class String:
    """A string literal, without its quotes."""

    value: str
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Ref:
    """``${name}``: the answer to the item whose code is ``name``."""

    name: str
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Current:
    """``.``: the answer to the item the expression is attached to."""

    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Unary:
    """Unary minus (the only unary operator; ``not`` is a function)."""

    operand: Expr
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Binary:
    op: str
    left: Expr
    right: Expr
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Expr, ...]
    column: int = field(default=0, compare=False)


Expr = Number | String | Ref | Current | Unary | Binary | Call


def children(expr: Expr) -> tuple[Expr, ...]:
    """Direct sub-expressions of ``expr``, left to right."""
    match expr:
        case Unary(operand=operand):
            return (operand,)
        case Binary(left=left, right=right):
            return (left, right)
        case Call(args=args):
            return args
        case _:
            return ()


def walk(expr: Expr) -> list[Expr]:
    """All nodes of ``expr`` in source order (pre-order, left to right), without recursion."""
    result: list[Expr] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        result.append(node)
        stack.extend(reversed(children(node)))
    return result


def precedence(expr: Expr) -> int:
    """How tightly ``expr`` binds when printed; higher never needs parentheses."""
    if isinstance(expr, Binary):
        return PRECEDENCE[expr.op]
    if isinstance(expr, Unary):
        return UNARY_PRECEDENCE
    return ATOM_PRECEDENCE
