"""``write_xlsform``: Instrument → XLSForm workbook that ``read_xlsform`` reads back equal.

Every text column is written with an explicit language suffix, so nothing depends on which
language a reader treats as the default. Optional columns appear only when some item uses
them, which keeps exported sheets readable for survey staff editing them by hand.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from instruments.schema import IMPLICIT_OTHER, Group, Instrument, Item, ItemType

from .sheets import language_header

_CORE = ("type", "name", "label", "hint", "required", "relevant", "constraint",
         "constraint_message", "appearance")  # fmt: skip
_OPTIONAL = ("choice_filter", "parameters", "other_choice", "exclusive", "min_choices",
             "max_choices", "min_value", "max_value", "max_length", "unit")  # fmt: skip
_TRANSLATED = frozenset({"label", "hint", "constraint_message", "unit"})
_SELECT_KEYWORDS = {ItemType.SINGLE: "select_one", ItemType.LIKERT: "select_one",
                    ItemType.MULTIPLE: "select_multiple", ItemType.RANKING: "rank"}  # fmt: skip
_PLAIN_TYPES = {ItemType.INTEGER: "integer", ItemType.YEAR: "integer",
                ItemType.DECIMAL: "decimal", ItemType.TEXT: "text", ItemType.DATE: "date",
                ItemType.NOTE: "note"}  # fmt: skip

_WIDTHS = {"type": 26, "label": 48, "hint": 30, "relevant": 24, "constraint": 24,
           "constraint_message": 30, "form_title": 40}  # fmt: skip

Row = dict[str, Any]
#: A column: its name and, for translated columns, the language code.
Column = tuple[str, str | None]


def write_xlsform(
    instrument: Instrument, destination: str | os.PathLike[str] | None = None
) -> bytes:
    """The workbook as bytes; also saved to ``destination`` when given."""
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    rows = list(_survey_rows(instrument))
    _fill(survey, _columns(instrument, rows, _CORE + _OPTIONAL), rows)
    choice_rows = list(_choice_rows(instrument))
    attributes = sorted({k for row in choice_rows for k in row if k.startswith("@")})
    choice_columns: list[Column] = [("list_name", None), ("name", None)]
    choice_columns += [("label", lang) for lang in instrument.languages]
    choice_columns += [(name, None) for name in attributes]
    _fill(workbook.create_sheet("choices"), choice_columns, choice_rows)
    settings = {"form_title": instrument.title.get(instrument.default_language, ""),
                "form_id": instrument.id, "version": instrument.version,
                "default_language": language_header(instrument.default_language)}  # fmt: skip
    settings.update(
        {f"form_title:{lang}": instrument.title.get(lang, "") for lang in instrument.languages}
    )
    setting_columns: list[Column] = [
        ("form_title", None),
        ("form_id", None),
        ("version", None),
        ("default_language", None),
    ]
    setting_columns += [("form_title", lang) for lang in instrument.languages]
    _fill(workbook.create_sheet("settings"), setting_columns, [settings])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if destination is not None:
        Path(destination).write_bytes(data)
    return data


def _columns(instrument: Instrument, rows: list[Row], names: Iterable[str]) -> list[Column]:
    used = {
        key.split(":")[0] for row in rows for key, value in row.items() if value not in ("", None)
    }
    columns: list[Column] = []
    for name in names:
        if name not in _CORE and name not in used:
            continue
        if name in _TRANSLATED:
            columns += [(name, lang) for lang in instrument.languages]
        else:
            columns.append((name, None))
    return columns


def _fill(sheet: Worksheet, columns: list[Column], rows: list[Row]) -> None:
    headers = [
        name.lstrip("@") if lang is None else f"{name}::{language_header(lang)}"
        for name, lang in columns
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = [row.get(name if lang is None else f"{name}:{lang}", "") for name, lang in columns]
        sheet.append([None if value in ("", None) else value for value in values])
    # A text starting with "=" would otherwise be stored as a formula with no cached value.
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    for index, (name, _lang) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(name, 14)
    sheet.freeze_panes = "C2"


def _texts(name: str, text: Any) -> Row:
    return {f"{name}:{lang}": value for lang, value in text.items()}


def _survey_rows(instrument: Instrument) -> Iterable[Row]:
    open_groups: list[str] = []
    for item in instrument.items:
        chain = [g.code for g in reversed(instrument.ancestors(item.group))]
        while open_groups and open_groups != chain[: len(open_groups)]:
            yield {"type": "end group", "name": open_groups.pop()}
        for code in chain[len(open_groups) :]:
            group = instrument.group(code)
            assert group is not None
            yield _group_row(group)
            open_groups.append(code)
        yield from _item_rows(instrument, item)
    while open_groups:
        yield {"type": "end group", "name": open_groups.pop()}


def _group_row(group: Group) -> Row:
    return {"type": "begin group", "name": group.code, **_texts("label", group.label),
            **_texts("hint", group.hint), "relevant": group.relevance or "",
            "appearance": "field-list" if group.page else ""}  # fmt: skip


def _item_rows(instrument: Instrument, item: Item) -> Iterable[Row]:
    if item.type is ItemType.MATRIX:
        yield {"type": "begin group", "name": item.code, **_texts("label", item.label),
               **_texts("hint", item.hint), "relevant": item.relevance or "",
               "appearance": "table-list",
               "parameters": "randomize=true" if item.randomize else ""}  # fmt: skip
        for matrix_row in item.rows:
            yield {"type": f"select_one {item.choices}", "name": matrix_row.code,
                   **_texts("label", matrix_row.label), **_answer_checks(item)}  # fmt: skip
        yield {"type": "end group", "name": item.code}
        return
    row: Row = {"type": _type_text(instrument, item), "name": item.code,
                **_texts("label", item.label), **_texts("hint", item.hint),
                "relevant": item.relevance or "", **_answer_checks(item),
                "appearance": _appearance(item), "choice_filter": item.choice_filter or "",
                "parameters": "randomize=true" if item.randomize else "",
                "exclusive": " ".join(item.exclusive), **_texts("unit", item.unit)}  # fmt: skip
    if item.other_choice and not _is_or_other(instrument, item):
        row["other_choice"] = item.other_choice
    for name in ("min_choices", "max_choices", "min_value", "max_value", "max_length"):
        row[name] = getattr(item, name)
    yield row


def _answer_checks(item: Item) -> Row:
    return {"required": "yes" if item.required else "", "constraint": item.constraint or "",
            **_texts("constraint_message", item.constraint_message)}  # fmt: skip


def _type_text(instrument: Instrument, item: Item) -> str:
    if item.type in _SELECT_KEYWORDS:
        suffix = " or_other" if _is_or_other(instrument, item) else ""
        return f"{_SELECT_KEYWORDS[item.type]} {item.choices}{suffix}"
    return _PLAIN_TYPES[item.type]


def _is_or_other(instrument: Instrument, item: Item) -> bool:
    """XLSForm's ``or_other`` adds an implicit "other" option; use it only for that case."""
    choice_list = instrument.choice_list(item.choices)
    in_list = choice_list is not None and IMPLICIT_OTHER in choice_list.codes
    return item.other_choice == IMPLICIT_OTHER and not in_list


def _appearance(item: Item) -> str:
    if item.type is ItemType.LIKERT:
        return "likert"
    if item.type is ItemType.YEAR:
        return "year"
    return "multiline" if item.long else ""


def _choice_rows(instrument: Instrument) -> Iterable[Row]:
    for choice_list in instrument.choice_lists:
        for choice in choice_list.choices:
            row: Row = {
                "list_name": choice_list.name,
                "name": choice.code,
                **_texts("label", choice.label),
            }
            row.update({f"@{key}": value for key, value in choice.attributes.items()})
            yield row
