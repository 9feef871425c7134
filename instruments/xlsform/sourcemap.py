"""Maps a definition path (``items[3].label.zh-hans``) back to a spreadsheet cell.

The reader turns the workbook into a JSON definition and lets ``load_definition`` find the
problems, so there is one set of rules for JSON and XLSForm. This module then rewrites each
issue's location into sheet, row and column. When the column does not exist at all (say
no English hint column), the issue names the header the author should add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from instruments.schema import ValidationIssue

from .sheets import Row, Sheet, language_header
from .survey import Source

_SEGMENT = re.compile(r"([^.\[\]]+)(?:\[(\d+)\])?")
# Definition field → survey column. None: the row itself is the best location.
_ITEM_COLUMNS: dict[str, str | None] = {
    "code": "name", "type": "type", "label": "label", "hint": "hint", "group": None,
    "required": "required", "relevance": "relevant", "constraint": "constraint",
    "constraint_message": "constraint_message", "choices": "type",
    "choice_filter": "choice_filter", "other_choice": "other_choice",
    "randomize": "parameters", "exclusive": "exclusive", "min_choices": "min_choices",
    "max_choices": "max_choices", "min_value": "min_value", "max_value": "max_value",
    "unit": "unit", "long": "appearance", "max_length": "max_length", "rows": None,
    "page": "appearance", "parent": None,
}  # fmt: skip
_SETTINGS_COLUMNS = {"title": "form_title", "id": "form_id", "version": "version",
                     "default_language": "default_language"}  # fmt: skip
_TEXT_FIELDS = frozenset({"label", "hint", "constraint_message", "unit", "title"})


@dataclass
class ListSource:
    row: int
    choice_rows: list[int] = field(default_factory=list)


@dataclass
class SourceMap:
    survey: Sheet
    choices: Sheet | None
    settings: Sheet | None
    settings_row: Row | None
    default_language: str
    items: list[Source]
    groups: list[Source]
    lists: list[ListSource]

    def locate(self, issue: ValidationIssue) -> ValidationIssue:
        if not issue.path:
            return issue
        segments = [(m.group(1), m.group(2)) for m in _SEGMENT.finditer(issue.path)]
        found = self._resolve(segments)
        if found is None:
            return issue
        sheet, row, base, language = found
        if base is None:
            return replace(issue, sheet=sheet.name, row=row)
        column = sheet.column(base, language)
        if column is None and language == self.default_language:
            column = sheet.column(base, None)
        if column is None:
            header = f"{base}::{language_header(language)}" if language else base
            return replace(issue, sheet=sheet.name, row=row, column=header)
        cell = f"{column.letter}{row}" if row else None
        return replace(issue, sheet=sheet.name, row=row, column=column.header, cell=cell)

    def _resolve(
        self, segments: list[tuple[str, str | None]]
    ) -> tuple[Sheet, int | None, str | None, str | None] | None:
        head, index = segments[0]
        rest = [name for name, _ in segments[1:]]
        if head == "items" and index is not None and int(index) < len(self.items):
            return self._item(self.items[int(index)], segments[1:])
        if head == "groups" and index is not None and int(index) < len(self.groups):
            source = self.groups[int(index)]
            field_name = rest[0] if rest else None
            return self.survey, source.row, _column_of(field_name), _language(field_name, rest)
        if head == "choice_lists" and self.choices is not None and index is not None:
            return self._choice(int(index), segments[1:])
        if head in _SETTINGS_COLUMNS and self.settings is not None:
            row = self.settings_row.number if self.settings_row else None
            return self.settings, row, _SETTINGS_COLUMNS[head], rest[0] if rest else None
        if head == "languages" and index is not None:
            return self.survey, self.survey.header_row, None, None
        return None

    def _item(
        self, source: Source, segments: list[tuple[str, str | None]]
    ) -> tuple[Sheet, int | None, str | None, str | None]:
        if not segments:
            return self.survey, source.row, None, None
        name, index = segments[0]
        rest = [n for n, _ in segments[1:]]
        if name == "rows" and index is not None and int(index) < len(source.row_rows):
            row = source.row_rows[int(index)]
            field_name = rest[0] if rest else None
            return self.survey, row, _column_of(field_name), _language(field_name, rest)
        row = source.field_rows.get(name, source.row)
        base = _column_of(name)
        if name == "other_choice" and self.survey.column("other_choice") is None:
            base = "type"  # It came from "or_other" in the type column.
        return self.survey, row, base, _language(name, [name, *rest])

    def _choice(
        self, index: int, segments: list[tuple[str, str | None]]
    ) -> tuple[Sheet, int | None, str | None, str | None] | None:
        if self.choices is None or index >= len(self.lists):
            return None
        source = self.lists[index]
        if not segments or segments[0][0] == "name":
            return self.choices, source.row, "list_name", None
        name, choice_index = segments[0]
        rest = [n for n, _ in segments[1:]]
        if (
            name != "choices"
            or choice_index is None
            or int(choice_index) >= len(source.choice_rows)
        ):
            return self.choices, source.row, None, None
        row = source.choice_rows[int(choice_index)]
        if not rest:
            return self.choices, row, None, None
        if rest[0] == "attributes":
            return self.choices, row, rest[1] if len(rest) > 1 else None, None
        base = {"code": "name", "label": "label"}.get(rest[0])
        return self.choices, row, base, rest[1] if len(rest) > 1 and rest[0] == "label" else None


def _column_of(field_name: str | None) -> str | None:
    return _ITEM_COLUMNS.get(field_name) if field_name else None


def _language(field_name: str | None, rest: list[str]) -> str | None:
    """The language segment after a text field (``label.en`` → ``en``)."""
    if field_name in _TEXT_FIELDS and len(rest) > 1:
        return rest[1]
    return None
