"""The codebook workbook of an export (pure Python, no Django).

Written from the same :class:`~.table.ExportTable` as the data files (so every name,
value and label is the one in the data) and from the questionnaire version it came
from (question texts in Chinese and English, skip logic). Three sheets:

* variables: name, questionnaire code, label, question (zh, en), item type, section,
  storage type, measure, values, shown when (the item's and its groups' relevance, with
  the meaning of each compared choice code), note;
* values: one row per value label (name, value, choice code, label zh, label en);
* about: the questionnaire, its version and checksum, the wave, the language, who the
  export is for, the rows, and the coding rules (missing values, 0/1 columns).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from analysis.codebook import Variable
from instruments.logic import LogicError, parse, unparse
from instruments.messages import gettext_noop
from instruments.schema import Instrument, Item

from .table import ExportColumn, ExportTable
from .writers import value_labels_text

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

Translate = Callable[[str], str]

ITEM_TYPES = {
    "single": gettext_noop("single choice"),
    "multiple": gettext_noop("multiple choice (one 0/1 column per option)"),
    "likert": gettext_noop("rating scale"),
    "matrix": gettext_noop("matrix row"),
    "integer": gettext_noop("whole number"),
    "decimal": gettext_noop("decimal number"),
    "year": gettext_noop("year"),
    "date": gettext_noop("date"),
    "text": gettext_noop("open text"),
    "ranking": gettext_noop("ranking (one column per position)"),
}
STORAGE = {
    "numeric": gettext_noop("numeric"),
    "string": gettext_noop("text"),
    "date": gettext_noop("date"),
}
MEASURES = {
    "nominal": gettext_noop("nominal"),
    "ordinal": gettext_noop("ordinal"),
    "scale": gettext_noop("scale"),
}
ROLES = {
    "station": gettext_noop("Survey station: the cluster (PSU) of the design."),
    "stratum": gettext_noop("Stratum of the design: the sector of the station."),
    "weight": gettext_noop(
        "Analysis weight: base weight from the station's number of S&T workers, raked to "
        "the population margins, trimmed."
    ),
    "sector": gettext_noop("Sector of the station's host institution."),
    "region": gettext_noop("Region of the station."),
    "title": gettext_noop("Derived from the professional title item."),
    "age_group": gettext_noop("Derived from the birth year, in the year the wave opened."),
    "sex": gettext_noop("Derived from the sex item."),
    "response_id": gettext_noop(
        "Anonymous id of the response in this wave; it leads to no answer code or person."
    ),
}
_COMPARISON = re.compile(r"\$\{(\w+)\}\s*(=|!=)\s*'([^']*)'|selected\(\$\{(\w+)\}, '([^']*)'\)")


def write_codebook(
    table: ExportTable,
    instrument: Instrument,
    path: Path,
    *,
    about: Mapping[str, str],
    translate: Translate,
) -> None:
    """Write the codebook workbook; ``about`` adds (label, value) lines to the about sheet
    (the wave, the station)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    tr, lang = translate, table.language
    wb = Workbook()
    sheet = cast("Worksheet", wb.active)  # a new workbook has its one sheet active
    sheet.title = _sheet_title(tr(gettext_noop("Variables")))
    headers = [
        gettext_noop("Variable"), gettext_noop("Questionnaire code"), gettext_noop("Label"),
        gettext_noop("Question (Chinese)"), gettext_noop("Question (English)"),
        gettext_noop("Item type"), gettext_noop("Section"), gettext_noop("Storage"),
        gettext_noop("Measure"), gettext_noop("Values"), gettext_noop("Shown when"),
        gettext_noop("Note"),
    ]  # fmt: skip
    sheet.append([tr(h) for h in headers])
    for col in table.columns:
        sheet.append(_variable_row(col, instrument, lang, tr))
    values = wb.create_sheet(_sheet_title(tr(gettext_noop("Value labels"))))
    values.append(
        [tr(h) for h in (gettext_noop("Variable"), gettext_noop("Value"), gettext_noop("Code"),
                         gettext_noop("Label (Chinese)"), gettext_noop("Label (English)"))]
    )  # fmt: skip
    for col in table.columns:
        for row in _value_rows(col):
            values.append(row)
    info = wb.create_sheet(_sheet_title(tr(gettext_noop("About"))))
    for label, value in _about(table, instrument, tr, about):
        info.append([label, value])
    for ws, widths in ((sheet, (16, 14, 48, 48, 48, 18, 16, 10, 10, 40, 40, 40)),
                       (values, (16, 8, 10, 40, 40)), (info, (28, 80))):  # fmt: skip
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for i, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = width
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    wb.save(path)


def _sheet_title(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31]


def _variable_row(col: ExportColumn, instrument: Instrument, lang: str, tr: Translate) -> list[Any]:
    var = col.variable
    item = instrument.item(var.item) if var is not None and var.item else None
    question = dict(var.question) if var is not None else {}
    section = ""
    if item is not None:
        chain = instrument.ancestors(item.group)
        if chain:
            outer = chain[-1]
            section = outer.label.get(lang) or outer.code
    note = col.note or (tr(ROLES[col.source]) if col.source in ROLES else "")
    return [
        col.name,
        col.source,
        col.label,
        question.get("zh-hans", ""),
        question.get("en", ""),
        _item_type(var, tr),
        section,
        tr(STORAGE[col.kind]),
        tr(MEASURES[col.measure]),
        value_labels_text(col),
        skip_logic_text(instrument, item, lang) if item is not None else "",
        note,
    ]


def _item_type(var: Variable | None, tr: Translate) -> str:
    if var is None or var.item_type not in ITEM_TYPES:
        return ""
    if var.item is not None and var.code != var.item and var.kind.value == "text":
        return tr(gettext_noop("open text (other, please specify)"))
    return tr(ITEM_TYPES[var.item_type])


def _value_rows(col: ExportColumn) -> list[list[Any]]:
    var: Variable | None = col.variable
    levels = {lv.code: lv for lv in var.levels} if var is not None else {}
    rows = []
    for value, label in col.value_labels.items():
        code = col.codes.get(value, "")
        level = levels.get(code)
        both = dict(level.labels) if level is not None else {}
        rows.append([col.name, value, code, both.get("zh-hans", label), both.get("en", label)])
    return rows


def skip_logic_text(instrument: Instrument, item: Item, language: str) -> str:
    """When the item is asked: its groups' conditions (outermost first) and its own,
    each compared choice code followed by its label, e.g. ``${E1} = '1'（是）``."""
    conditions = [g.relevance for g in reversed(instrument.ancestors(item.group)) if g.relevance]
    if item.relevance:
        conditions.append(item.relevance)
    parts = [_explained(instrument, _canonical(c), language) for c in conditions]
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return " and ".join(f"({p})" for p in parts)


def _canonical(expression: str) -> str:
    try:
        return unparse(parse(expression))
    except (LogicError, ValueError):
        return expression


def _explained(instrument: Instrument, text: str, language: str) -> str:
    def label(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(4)
        value = match.group(3) if match.group(1) else match.group(5)
        item = instrument.item(code)
        choices = instrument.choice_list(item.choices) if item is not None else None
        choice = choices.get(value) if choices is not None else None
        if choice is None:
            return match.group(0)
        name = choice.label.get(language) or next(iter(choice.label.values()), "")
        return f"{match.group(0)}「{name}」"

    return _COMPARISON.sub(label, text)


def _about(
    table: ExportTable, instrument: Instrument, tr: Translate, extra: Mapping[str, str]
) -> list[tuple[str, str]]:
    title = instrument.title
    audience = {
        "office": tr(gettext_noop("Survey office (open answers scrubbed of personal data)")),
        "station": tr(gettext_noop("Station staff (no open answers, no exact years or dates)")),
    }[table.audience]
    lines = [
        (tr(gettext_noop("Questionnaire")), title.get(table.language) or title.get("zh-hans", "")),
        (tr(gettext_noop("Questionnaire id and version")), f"{instrument.id} {instrument.version}"),
        (tr(gettext_noop("Questionnaire checksum")), instrument.checksum()),
        *extra.items(),
        (tr(gettext_noop("Language of the labels")), table.language),
        (tr(gettext_noop("Prepared for")), audience),
        (tr(gettext_noop("Rows")), str(table.n)),
        (tr(gettext_noop("Variables")), str(len(table.columns))),
        (
            tr(gettext_noop("Missing values")),
            tr(gettext_noop(
                "Empty cells (system missing in SPSS and Stata): not answered, or not asked "
                "because of the skip logic."
            )),
        ),
        (
            tr(gettext_noop("Multiple choice")),
            tr(gettext_noop(
                "One column per option: 1 = chosen, 0 = not chosen, empty = item not answered."
            )),
        ),
        (
            tr(gettext_noop("Choice values")),
            tr(gettext_noop(
                "The choice code itself when all codes of a list are whole numbers, otherwise "
                "the position in the list from 1 (see the value labels sheet)."
            )),
        ),
    ]  # fmt: skip
    return lines
