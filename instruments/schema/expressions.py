"""Checks of relevance conditions, constraints, choice filters and ``${...}`` in texts.

The rule that keeps the respondent form simple: a condition may only look back. Relevance
and choice filters may refer to answers of earlier items; a constraint may also refer to its
own item (``.`` or ``${own}``). So one pass from top to bottom evaluates everything, and an
author can never build a cycle. A group's relevance counts as sitting at its first item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from instruments.logic import (
    Binary,
    Call,
    Current,
    Expr,
    LogicSyntaxError,
    Number,
    Ref,
    String,
    parse,
)
from instruments.logic.nodes import walk
from instruments.messages import Message, gettext_noop

from .choice_filter import COLUMN_PREFIX, columns_of, parse_filter
from .issues import ValidationIssue
from .model import CHOICE_TYPES, Instrument, Item

UNKNOWN_REFERENCE = gettext_noop("'{name}' is not the code of any question")
NOT_AN_ANSWER = gettext_noop("'{name}' is a group or note and has no answer to refer to")
LATER_REFERENCE = gettext_noop(
    "'{name}' is answered later in the questionnaire; conditions may only refer to earlier "
    "questions"
)
SELF_REFERENCE = gettext_noop("A {field} cannot refer to its own question '{name}'")
CURRENT_OUTSIDE_CONSTRAINT = gettext_noop(
    "'.' (the answer being checked) can only be used in a constraint"
)
UNKNOWN_OPTION = gettext_noop("'{value}' is not an option of '{name}' (options: {options})")
UNKNOWN_COLUMN = gettext_noop(
    "The choice filter uses '{column}', which is not a column of choice list '{list}'; "
    "to compare with the text {column}, put it in quotes: '{column}'"
)
_TEXT_REFERENCE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class _Context:
    """Where an expression sits: ``position`` is the index of the item it belongs to."""

    path: str
    field: str
    position: int
    own: frozenset[str]
    item: Item | None = None


def check_expressions(instrument: Instrument, first_item: dict[str, int]) -> list[ValidationIssue]:
    checker = _Checker(instrument)
    for index, group in enumerate(instrument.groups):
        if group.relevance and group.code in first_item:
            context = _Context(
                f"groups[{index}].relevance", "relevance", first_item[group.code], frozenset()
            )
            checker.check(group.relevance, context)
    for index, item in enumerate(instrument.items):
        own = frozenset(item.answer_codes)
        path = f"items[{index}]"
        if item.relevance:
            checker.check(
                item.relevance, _Context(f"{path}.relevance", "relevance", index, own, item)
            )
        if item.constraint:
            context = _Context(f"{path}.constraint", "constraint", index + 1, own, item)
            checker.check(item.constraint, context)
        if item.choice_filter:
            context = _Context(f"{path}.choice_filter", "choice_filter", index, own, item)
            checker.check_filter(item.choice_filter, context)
        for field in ("label", "hint", "constraint_message"):
            for language, text in getattr(item, field).items():
                context = _Context(f"{path}.{field}.{language}", field, index + 1, own, item)
                checker.check_text(text, context)
    return checker.issues


class _Checker:
    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.issues: list[ValidationIssue] = []
        self.index = {item.code: i for i, item in enumerate(instrument.items)}

    def add(
        self, context: _Context, msgid: str, kind: str, position: int | None, **params: Any
    ) -> None:
        message = Message(msgid, params)
        issue = ValidationIssue(message, kind=kind, path=context.path, position=position)
        self.issues.append(issue)

    def check(self, source: str, context: _Context) -> Expr | None:
        try:
            tree = parse(source)
        except LogicSyntaxError as error:
            self.add_syntax(context, error)
            return None
        self.check_tree(tree, context)
        return tree

    def add_syntax(self, context: _Context, error: LogicSyntaxError) -> None:
        issue = ValidationIssue(
            error.message, kind="syntax", path=context.path, position=error.column
        )
        self.issues.append(issue)

    def check_tree(self, tree: Expr, context: _Context) -> None:
        for node in walk(tree):
            if isinstance(node, Ref) and not node.name.startswith(COLUMN_PREFIX):
                self.check_reference(node.name, node.column, context)
            elif isinstance(node, Current) and context.field != "constraint":
                self.add(
                    context, CURRENT_OUTSIDE_CONSTRAINT, "current_outside_constraint", node.column
                )
            elif isinstance(node, Call | Binary):
                self.check_option_literal(node, context)

    def check_reference(self, name: str, column: int | None, context: _Context) -> None:
        owner = self.instrument.owner_of(name)
        if owner is None:
            known = self.instrument.item(name) or self.instrument.group(name)
            msgid, kind = (
                (NOT_AN_ANSWER, "not_an_answer")
                if known
                else (UNKNOWN_REFERENCE, "unknown_reference")
            )
            self.add(context, msgid, kind, column, name=name)
        elif name in context.own and context.field in ("relevance", "choice_filter"):
            self.add(
                context, SELF_REFERENCE, "self_reference", column, name=name, field=context.field
            )
        elif self.index[owner.code] >= context.position and name not in context.own:
            self.add(context, LATER_REFERENCE, "later_reference", column, name=name)

    def check_option_literal(self, node: Call | Binary, context: _Context) -> None:
        """Catch ``selected(${q}, 'x')`` and ``${q} = 'x'`` where q has no option x.

        Such a condition is silently never true, which is the costliest kind of skip-logic
        bug: the questions it guards are never asked and nobody notices until analysis.
        """
        pair = _answer_and_literal(node)
        if pair is None:
            return
        subject, literal, column = pair
        item = (
            context.item if isinstance(subject, Current) else self.instrument.owner_of(subject.name)
        )
        if item is None or item.type not in CHOICE_TYPES:
            return
        if isinstance(subject, Ref) and subject.name == item.other_code:
            return
        options = self.instrument.choice_options(item)
        if options and literal not in options:
            name = item.code if isinstance(subject, Current) else subject.name
            shown = ", ".join(options[:12]) + (", …" if len(options) > 12 else "")
            self.add(
                context,
                UNKNOWN_OPTION,
                "unknown_option",
                column,
                value=literal,
                name=name,
                options=shown,
            )

    def check_filter(self, source: str, context: _Context) -> None:
        try:
            parsed = parse_filter(source)
        except LogicSyntaxError as error:
            self.add_syntax(context, error)
            return
        self.check_tree(parsed.tree, context)
        item = context.item
        choice_list = self.instrument.choice_list(item.choices if item else None)
        if choice_list is None:
            return
        available = columns_of(choice_list)
        for column, position in parsed.columns:
            if column not in available:
                self.add(
                    context,
                    UNKNOWN_COLUMN,
                    "unknown_column",
                    position,
                    column=column,
                    list=choice_list.name,
                )

    def check_text(self, text: str, context: _Context) -> None:
        for match in _TEXT_REFERENCE.finditer(text):
            self.check_reference(match.group(1), match.start() + 1, context)


def _answer_and_literal(node: Call | Binary) -> tuple[Ref | Current, str, int] | None:
    """(answer, literal option, column) for ``selected(a, 'x')`` or ``a = 'x'`` / ``a != 'x'``."""
    if isinstance(node, Call) and node.name == "selected" and len(node.args) == 2:
        subject, literal = node.args
    elif isinstance(node, Binary) and node.op in ("=", "!="):
        subject, literal = node.left, node.right
        if isinstance(literal, Ref | Current):
            subject, literal = literal, subject
    else:
        return None
    if not isinstance(subject, Ref | Current) or not isinstance(literal, String | Number):
        return None
    if isinstance(subject, Ref) and subject.name.startswith(COLUMN_PREFIX):
        return None
    if isinstance(literal, Number):
        value = literal.value
        text = str(int(value)) if float(value).is_integer() else str(value)
        return subject, text, literal.column
    return subject, literal.value.strip(), literal.column
