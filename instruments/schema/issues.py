"""Problems found in a questionnaire definition, each with where it is.

A JSON definition is located by ``path`` (``items[12].relevance``); a spreadsheet by
``sheet``, ``row`` (1-based, as Excel shows it) and ``column`` (the header text) plus the
cell name (``E7``) when the column exists. ``position`` is the 1-based character inside an
expression. ``kind`` is a stable machine-readable category for callers and tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from instruments.messages import Message, gettext_noop

_AT_PATH = gettext_noop("{path}")
_AT_CELL = gettext_noop("sheet '{sheet}', row {row}, column '{column}' (cell {cell})")
_AT_COLUMN = gettext_noop("sheet '{sheet}', row {row}, column '{column}'")
_AT_ROW = gettext_noop("sheet '{sheet}', row {row}")
_AT_SHEET = gettext_noop("sheet '{sheet}'")
_AT_POSITION = gettext_noop("{where}, character {position}")
_WITH_LOCATION = gettext_noop("{where}: {problem}")


def _identity(text: str) -> str:
    return text


@dataclass(frozen=True)
class ValidationIssue:
    message: Message
    kind: str = "invalid"
    path: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    position: int | None = None

    def with_position(self, position: int | None) -> ValidationIssue:
        return replace(self, position=position)

    def location(self) -> Message | None:
        """Where the problem is, as a translatable message (``None`` if nowhere)."""
        where = self._base_location()
        if where is None or self.position is None:
            return where
        return Message(_AT_POSITION, {"where": where, "position": self.position})

    def _base_location(self) -> Message | None:
        if self.sheet and self.row and self.column and self.cell:
            params = {"sheet": self.sheet, "row": self.row, "column": self.column}
            return Message(_AT_CELL, {**params, "cell": self.cell})
        if self.sheet and self.row and self.column:
            return Message(
                _AT_COLUMN, {"sheet": self.sheet, "row": self.row, "column": self.column}
            )
        if self.sheet and self.row:
            return Message(_AT_ROW, {"sheet": self.sheet, "row": self.row})
        if self.sheet:
            return Message(_AT_SHEET, {"sheet": self.sheet})
        if self.path:
            return Message(_AT_PATH, {"path": self.path})
        return None

    def render(self, translate: Callable[[str], str] = _identity) -> str:
        """``"<where>: <problem>"`` in the language of ``translate``."""
        problem = _render(self.message, translate)
        where = self.location()
        if where is None:
            return problem
        return translate(_WITH_LOCATION).format(where=_render(where, translate), problem=problem)

    def __str__(self) -> str:
        return self.render()


def _render(message: Message, translate: Callable[[str], str]) -> str:
    # Messages nest (a position wraps a cell; a refusal carries its reason as a Message);
    # translate the inner ones first.
    params = {
        key: _render(value, translate) if isinstance(value, Message) else value
        for key, value in message.params.items()
    }
    return translate(message.msgid).format(**params)


class InvalidDefinition(ValueError):
    """Raised by ``Instrument.from_dict`` on a definition that cannot be built."""

    def __init__(self, issues: list[ValidationIssue]) -> None:
        super().__init__("; ".join(issue.render() for issue in issues[:5]))
        self.issues = issues
