"""The ``survey`` sheet → item and group dicts of a definition, remembering source rows.

Rows are read top to bottom with a stack of open groups. A ``table-list`` group whose
children are plain ``select_one`` rows on one list (same required/constraint, no hints or
conditions of their own) is folded into one matrix item when it closes; any other
``table-list`` group stays a page group. Refused rows are still pushed on the group stack
so that nesting errors are reported where they really are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from instruments.messages import Message, gettext_noop
from instruments.schema import ValidationIssue
from instruments.schema.serialize import NOT_COUNT, NOT_NUMBER, canonical_number

from . import features
from .sheets import Row, Sheet

UNMATCHED_END = gettext_noop("'{feature}' has no matching 'begin' row above it")
UNCLOSED = gettext_noop("'{feature}' is never closed with an 'end' row")
NO_LIST = gettext_noop("'{feature}' needs the name of a choice list after it")
NOT_BOOLEAN = gettext_noop("Expected yes or no, got '{value}'")
BAD_OTHER = gettext_noop("Write 'or_other' after the list name, got '{feature}'")

_TRUE = frozenset({"yes", "true", "1", "true()", "y"})
_FALSE = frozenset({"no", "false", "0", "false()", "n"})
_COUNT_COLUMNS = ("min_choices", "max_choices", "max_length")
_NUMBER_COLUMNS = ("min_value", "max_value")
_SIMPLE_TYPES = {"integer": "integer", "int": "integer", "decimal": "decimal", "text": "text",
                 "string": "text", "note": "note", "date": "date"}  # fmt: skip
_SELECT_TYPES = {"select_one": "single", "select_multiple": "multiple", "rank": "ranking",
                 "select_all_that_apply": "multiple"}  # fmt: skip
_MATRIX_ROW_APPEARANCES = frozenset({"", "list-nolabel"})


@dataclass
class Source:
    """Where a definition object came from: its row, and rows for fields kept elsewhere."""

    row: int
    field_rows: dict[str, int] = field(default_factory=dict)
    row_rows: list[int] = field(default_factory=list)  # matrix rows
    appearance: str = ""


@dataclass
class _Frame:
    kind: str  # "group" or "repeat"
    name: str
    row: Row
    group: dict[str, Any] | None
    first_item: int


class SurveyReader:
    def __init__(self, sheet: Sheet, default_language: str) -> None:
        self.sheet = sheet
        self.default = default_language
        self.items: list[dict[str, Any]] = []
        self.item_sources: list[Source] = []
        self.groups: list[dict[str, Any]] = []
        self.group_sources: list[Source] = []
        self.issues: list[ValidationIssue] = []
        self.refused_names: set[str] = set()
        self.stack: list[_Frame] = []

    # -------------------------------------------------------------- reporting

    def issue(
        self, row: Row | int, column: str | None, msgid: str, kind: str, **params: Any
    ) -> None:
        number = row.number if isinstance(row, Row) else row
        found = self.sheet.column(column) if column else None
        self.issues.append(
            ValidationIssue(
                Message(msgid, params),
                kind=kind,
                sheet=self.sheet.name,
                row=number,
                column=found.header if found else column,
                cell=f"{found.letter}{number}" if found else None,
            )
        )

    def refuse(self, row: Row, column: str, msgid: str, **params: Any) -> None:
        self.issue(row, column, msgid, "unsupported", **params)
        if row.get("name"):
            self.refused_names.add(row.get("name"))
        # Enclosing groups may end up empty because of this row; that is no extra news.
        self.refused_names.update(frame.name for frame in self.stack)

    # -------------------------------------------------------------- rows

    def read(self) -> None:
        for row in self.sheet.rows:
            self.read_row(row)
        for frame in reversed(self.stack):
            self.issue(frame.row, "type", UNCLOSED, "structure", feature=f"begin {frame.kind}")
            if frame.group is not None:
                frame.group.pop("_table")
                frame.group.pop("randomize")

    def read_row(self, row: Row) -> None:
        type_text = " ".join(row.get("type").split())
        if not type_text:
            if row.get("name") or row.translations("label"):
                self.issue(row, "type", gettext_noop("The row has no type"), "structure")
            return
        tokens = type_text.split(" ")
        keyword = tokens[0].lower()
        if keyword in ("begin", "end") and len(tokens) > 1:
            keyword, tokens = f"{keyword}_{tokens[1].lower()}", [keyword, *tokens[2:]]
        if keyword in ("begin_group", "begin_repeat"):
            self.begin(row, keyword.removeprefix("begin_"), type_text)
        elif keyword in ("end_group", "end_repeat"):
            self.end(row, keyword.removeprefix("end_"), type_text)
        else:
            self.check_columns(row)
            self.question(row, keyword, tokens[1:], type_text)

    def check_columns(self, row: Row) -> None:
        for (base, _language), value in row.values.items():
            reason = features.REFUSED_COLUMNS.get(base)
            if reason and not (base == "read_only" and value.lower() in _FALSE):
                header = self.sheet.column(base, _language)
                name = header.header if header else base
                self.refuse(row, name, features.COLUMN, feature=name, reason=Message(reason))
        required = row.get("required").lower()
        if required and required not in _TRUE | _FALSE:
            self.refuse(row, "required", features.REQUIRED_EXPRESSION, feature=row.get("required"))
        for token in row.get("appearance").split():
            if token.startswith("ex:"):
                self.refuse(row, "appearance", features.EXTERNAL_APP, feature=token)

    # -------------------------------------------------------------- groups

    def begin(self, row: Row, kind: str, type_text: str) -> None:
        group: dict[str, Any] | None = None
        if kind == "repeat":
            self.refuse(row, "type", features.REPEAT, feature=type_text)
        else:
            self.check_columns(row)
            appearance = row.get("appearance").split()
            group = {
                "code": row.get("name"),
                "label": self.text(row, "label"),
                "hint": self.text(row, "hint"),
                "relevance": _expression(row, "relevant"),
                "page": "field-list" in appearance or "table-list" in appearance,
                "parent": self.current_group(),
                "randomize": self.parameters(row).get("randomize", False),
                "_table": "table-list" in appearance,
            }
        self.stack.append(_Frame(kind, row.get("name"), row, group, len(self.items)))
        if group is not None:
            self.groups.append(group)
            self.group_sources.append(Source(row.number))

    def end(self, row: Row, kind: str, type_text: str) -> None:
        if not self.stack or self.stack[-1].kind != kind:
            self.issue(row, "type", UNMATCHED_END, "structure", feature=type_text)
            return
        frame = self.stack.pop()
        if frame.group is None:
            return
        folded = frame.group.pop("_table") and self.fold_matrix(frame)
        if frame.group.pop("randomize") and not folded:
            self.refuse(frame.row, "parameters", features.PARAMETER, feature="randomize")

    def current_group(self) -> str | None:
        groups = [frame.group for frame in self.stack if frame.group is not None]
        return groups[-1]["code"] if groups else None

    def fold_matrix(self, frame: _Frame) -> bool:
        group = frame.group or {}
        children = self.items[frame.first_item :]
        sources = self.item_sources[frame.first_item :]
        if not _is_matrix(children, sources, group["code"], self.groups):
            return False
        first = children[0]
        matrix: dict[str, Any] = {
            "code": group["code"],
            "type": "matrix",
            "label": group["label"],
            "hint": group["hint"],
            "group": group["parent"],
            "required": first.get("required", False),
            "relevance": group["relevance"],
            "constraint": first.get("constraint"),
            "constraint_message": first.get("constraint_message", {}),
            "choices": first.get("choices"),
            "randomize": group["randomize"],
            "rows": [{"code": child["code"], "label": child["label"]} for child in children],
        }
        del self.items[frame.first_item :]
        del self.item_sources[frame.first_item :]
        self.items.append(_compact(matrix))
        fields = {
            name: sources[0].row
            for name in ("required", "constraint", "constraint_message", "choices")
        }
        self.item_sources.append(Source(frame.row.number, fields, [s.row for s in sources]))
        index = next(i for i, g in enumerate(self.groups) if g is group)
        del self.groups[index]
        del self.group_sources[index]
        return True

    # -------------------------------------------------------------- questions

    def question(self, row: Row, keyword: str, rest: list[str], type_text: str) -> None:
        feature_msgid = features.TYPE_FEATURES.get(keyword)
        if feature_msgid:
            self.refuse(row, "type", feature_msgid, feature=type_text)
            return
        if keyword in ("select", "select_one", "select_multiple") and rest[-2:-1] == ["from"]:
            keyword = "select_one" if rest[0].lower() == "one" else "select_multiple"
            rest = rest[-1:]  # Legacy "select one from L" / "select all that apply from L".
        if keyword in _SELECT_TYPES:
            self.choice_question(row, _SELECT_TYPES[keyword], rest, type_text)
        elif keyword in _SIMPLE_TYPES and not rest:
            self.add_item(row, self.simple_type(row, _SIMPLE_TYPES[keyword]), {})
        else:
            self.issue(row, "type", features.UNKNOWN_TYPE, "unknown_type", feature=type_text)
            self.refused_names.add(row.get("name"))

    def simple_type(self, row: Row, kind: str) -> str:
        if kind == "integer" and "year" in row.get("appearance").split():
            return "year"
        return kind

    def choice_question(self, row: Row, kind: str, rest: list[str], type_text: str) -> None:
        if not rest:
            self.issue(row, "type", NO_LIST, "structure", feature=type_text)
            self.refused_names.add(row.get("name"))
            return
        extra: dict[str, Any] = {"choices": rest[0]}
        if len(rest) > 1:
            if [token.lower() for token in rest[1:]] != ["or_other"]:
                self.issue(row, "type", BAD_OTHER, "structure", feature=type_text)
            extra["other_choice"] = "other"
        if row.get("other_choice"):
            extra["other_choice"] = row.get("other_choice")
        if kind == "single" and "likert" in row.get("appearance").split():
            kind = "likert"
        self.add_item(row, kind, extra)

    def add_item(self, row: Row, kind: str, extra: dict[str, Any]) -> None:
        item: dict[str, Any] = {
            "code": row.get("name"),
            "type": kind,
            "label": self.text(row, "label"),
            "hint": self.text(row, "hint"),
            "group": self.current_group(),
            "required": row.get("required").lower() in _TRUE,
            "relevance": _expression(row, "relevant"),
            "constraint": _expression(row, "constraint"),
            "constraint_message": self.text(row, "constraint_message"),
            "choice_filter": row.get("choice_filter") or None,
            "unit": self.text(row, "unit"),
            "long": kind == "text" and "multiline" in row.get("appearance").split(),
            "randomize": self.parameters(row).get("randomize", False),
            **extra,
        }
        if row.get("exclusive"):
            item["exclusive"] = re.split(r"[\s,]+", row.get("exclusive"))
        for name in _COUNT_COLUMNS:
            item[name] = self.count(row, name)
        for name in _NUMBER_COLUMNS:
            item[name] = self.number(row, name)
        self.items.append(_compact(item))
        self.item_sources.append(Source(row.number, appearance=row.get("appearance")))

    # -------------------------------------------------------------- cells

    def text(self, row: Row, base: str) -> dict[str, str]:
        texts = row.translations(base)
        plain = texts.pop(None, None)
        result: dict[str, str] = {lang: text for lang, text in texts.items() if lang}
        if plain and self.default not in result:
            result[self.default] = plain
        return result

    def parameters(self, row: Row) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for pair in re.split(r"[;\s]+", row.get("parameters")):
            if not pair:
                continue
            key, _, value = pair.partition("=")
            key = key.strip().lower()
            if key == "randomize":
                found["randomize"] = value.strip().lower() in _TRUE
            elif key != "seed":  # A seed only fixes the shuffle; it changes no answer.
                self.refuse(row, "parameters", features.PARAMETER, feature=pair)
        return found

    def count(self, row: Row, name: str) -> int | None:
        text = row.get(name)
        if not text:
            return None
        if not re.fullmatch(r"\d+", text):
            self.issue(row, name, NOT_COUNT, "structure")
            return None
        return int(text)

    def number(self, row: Row, name: str) -> int | float | None:
        text = row.get(name)
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if value != value or value in (float("inf"), float("-inf")):
            self.issue(row, name, NOT_NUMBER, "structure")
            return None
        return canonical_number(int(text) if re.fullmatch(r"-?\d+", text) else value)


def _expression(row: Row, column: str) -> str | None:
    text = row.get(column)
    # A relevant typed as TRUE/FALSE arrives as a boolean cell; XPath spells them true().
    return {"TRUE": "true()", "FALSE": "false()"}.get(text, text) or None


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    """Drop unset fields (but keep 0, which is a real bound)."""
    return {k: v for k, v in values.items() if v is not None and v is not False and v != {}}


def _is_matrix(
    children: list[dict[str, Any]], sources: list[Source], code: str, groups: list[dict[str, Any]]
) -> bool:
    """Whether the direct children of table-list group ``code`` form a clean matrix."""
    if not children or any(g.get("parent") == code for g in groups):
        return False
    if any(source.appearance not in _MATRIX_ROW_APPEARANCES for source in sources):
        return False
    first = children[0]
    shared = ("choices", "required", "constraint", "constraint_message")
    for child in children:
        if child.get("type") != "single" or child.get("group") != code:
            return False
        if any(
            child.get(key)
            for key in ("hint", "relevance", "choice_filter", "other_choice", "randomize")
        ):
            return False
        if any(child.get(key) != first.get(key) for key in shared):
            return False
    return True
