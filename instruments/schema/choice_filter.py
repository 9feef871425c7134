"""XLSForm ``choice_filter`` expressions (cascading selects), on top of the logic language.

In a choice filter a bare name is a column of the choice row (``region=${region}``: keep
the districts whose ``region`` column equals the answer to ``region``). The logic language
has no bare names, so before parsing each one is rewritten to the reference
``${__col__.<name>}`` — a code no item can have, since codes starting with ``__`` are
reserved — and evaluation supplies those "answers" from the choice's attributes (``name``
is the choice code). Columns in error messages are mapped back to the author's text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from instruments.logic import Expr, LogicSyntaxError, evaluate, is_true, parse
from instruments.messages import Message

from .model import Choice, ChoiceList

COLUMN_PREFIX = "__col__."
_WORD_OPERATORS = frozenset({"and", "or", "div", "mod"})
# Strings and ${...} are copied unchanged; a name followed by "(" is a function.
_TOKEN = re.compile(
    r"""(?P<skip>'[^']*'|"[^"]*"|\$\{[^}]*\}?)"""
    r"""|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z][A-Za-z0-9_]*)*)(?P<call>\s*\()?"""
)


@dataclass(frozen=True)
class ParsedFilter:
    tree: Expr
    #: (column name, 1-based position in the author's text) of each bare name.
    columns: tuple[tuple[str, int], ...]


def parse_filter(source: str) -> ParsedFilter:
    """Parse a choice filter; LogicSyntaxError columns refer to ``source`` itself."""
    rewritten, columns, shifts = _rewrite(source)
    try:
        tree = parse(rewritten)
    except LogicSyntaxError as error:
        column = _original_column(error.column, shifts)
        # The message names the column too; rebuild it so text and .column agree.
        params = (
            {**error.message.params, "column": column}
            if "column" in error.message.params
            else error.message.params
        )
        message = Message(error.message.msgid, params)
        raise LogicSyntaxError(message, column, source) from None
    return ParsedFilter(tree, tuple(columns))


def _rewrite(source: str) -> tuple[str, list[tuple[str, int]], list[tuple[int, int]]]:
    parts: list[str] = []
    columns: list[tuple[str, int]] = []
    shifts: list[tuple[int, int]] = []  # (column in rewritten text, characters added)
    position = 0
    added = 0
    for match in _TOKEN.finditer(source):
        parts.append(source[position : match.start()])
        position = match.end()
        name = match.group("name")
        if name is None or match.group("call") or name in _WORD_OPERATORS:
            parts.append(match.group(0))
            continue
        replacement = "${" + COLUMN_PREFIX + name + "}"
        columns.append((name, match.start() + 1))
        shifts.append((match.start() + added + 1, len(replacement) - len(name)))
        added += len(replacement) - len(name)
        parts.append(replacement)
    parts.append(source[position:])
    return "".join(parts), columns, shifts


def _original_column(column: int, shifts: list[tuple[int, int]]) -> int:
    original = column
    for start, extra in shifts:
        if column > start:
            original -= min(extra, column - start)
    return max(original, 1)


def columns_of(choice_list: ChoiceList) -> set[str]:
    names = {"name"}
    for choice in choice_list.choices:
        names.update(choice.attributes)
    return names


def allowed_choices(
    choice_list: ChoiceList, source: str, answers: Mapping[str, Any]
) -> tuple[Choice, ...]:
    """The choices of ``choice_list`` that the filter keeps for these answers."""
    tree = parse_filter(source).tree
    kept = []
    for choice in choice_list.choices:
        row = {COLUMN_PREFIX + key: value for key, value in choice.attributes.items()}
        row[COLUMN_PREFIX + "name"] = choice.code
        if is_true(evaluate(tree, {**answers, **row})):
            kept.append(choice)
    return tuple(kept)
