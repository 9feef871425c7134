"""Reading a worksheet as XLSForm does: every cell as trimmed text, headers normalised.

Headers are matched case-insensitively after trimming (tabs too), with spaces turned into
``_`` (``list name`` is ``list_name``). A translatable column carries its language after
``::`` (``label::Chinese (zh)``); a single ``:`` is accepted only when no header of the sheet
uses ``::``, as pyxform does. Cells are read as text because spreadsheets store ``2`` as
``2.0``, ``TRUE`` as a boolean and some versions as dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

#: Columns whose header may carry a language suffix.
TRANSLATABLE = frozenset(
    {"label", "hint", "guidance_hint", "constraint_message", "required_message", "image",
     "audio", "video", "big-image", "media", "unit", "form_title"}
)  # fmt: skip
#: Older spellings of standard headers.
ALIASES = {
    "list_name": "list_name",
    "requiredmsg": "required_message",
    "jr:requiredmsg": "required_message",
    "jr:constraintmsg": "constraint_message",
    "constraintmsg": "constraint_message",
    "relevance": "relevant",
    "caption": "label",
    "calculate": "calculation",
}
#: Language codes spelled differently in the wild, mapped to the platform's codes.
CODE_ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-sg": "zh-hans", "zh-tw": "zh-hant",
                "zh-hk": "zh-hant"}  # fmt: skip
#: Language names used without a code (``label::english``).
NAME_CODES = {
    "english": "en", "chinese": "zh-hans", "中文": "zh-hans", "简体中文": "zh-hans",
    "french": "fr", "français": "fr", "francais": "fr", "spanish": "es", "español": "es",
    "portuguese": "pt", "swahili": "sw", "arabic": "ar", "russian": "ru", "german": "de",
}  # fmt: skip
#: Names the writer puts in headers, so exported files read naturally in other tools.
LANGUAGE_NAMES = {"zh-hans": "Chinese", "zh-hant": "Chinese (Traditional)", "en": "English",
                  "fr": "French", "es": "Spanish", "sw": "Swahili", "ar": "Arabic",
                  "ru": "Russian", "de": "German", "pt": "Portuguese"}  # fmt: skip
_CODE_IN_NAME = re.compile(r"\(([^()]+)\)\s*\Z")


def language_code(name: str) -> str:
    """``Chinese (zh)`` → ``zh-hans``; ``English`` → ``en``; ``Klingon`` → ``klingon``."""
    match = _CODE_IN_NAME.search(name)
    if match:
        code = match.group(1).strip().lower().replace("_", "-")
        return CODE_ALIASES.get(code, code)
    plain = name.strip().lower()
    return NAME_CODES.get(plain, re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or plain)


def language_header(code: str) -> str:
    """The ``Name (code)`` suffix the writer uses; read back by :func:`language_code`."""
    written = "zh" if code == "zh-hans" else code
    return f"{LANGUAGE_NAMES.get(code, code)} ({written})"


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        # The cell holds a number that Excel merely formats as a date: give back the number.
        return cell_text(to_excel(value))
    return str(value).strip()


@dataclass(frozen=True)
class Column:
    index: int  # 1-based
    header: str  # as written, trimmed
    base: str  # normalised name without language
    language: str | None  # platform language code, None for the unsuffixed column

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)


@dataclass
class Row:
    number: int  # 1-based, as the spreadsheet shows it
    values: dict[tuple[str, str | None], str] = field(default_factory=dict)

    def get(self, base: str, language: str | None = None) -> str:
        return self.values.get((base, language), "")

    def translations(self, base: str) -> dict[str | None, str]:
        return {lang: text for (name, lang), text in self.values.items() if name == base and text}


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    rows: list[Row]
    header_row: int = 1

    def column(self, base: str, language: str | None = None) -> Column | None:
        return next((c for c in self.columns if c.base == base and c.language == language), None)

    def languages(self) -> list[str]:
        found: list[str] = []
        for column in self.columns:
            if column.language and column.language not in found:
                found.append(column.language)
        return found


def normalise_header(raw: str, colon_ok: bool) -> tuple[str, str | None]:
    """``(base, language name)`` of a header cell; the language is None when absent."""
    text = raw.strip()
    language: str | None = None
    if "::" in text:
        text, _, language = text.partition("::")
    elif colon_ok and ":" in text:
        head, _, tail = text.partition(":")
        if head.strip().lower() in TRANSLATABLE:
            text, language = head, tail
    base = re.sub(r"\s+", "_", text.strip().lower())
    base = ALIASES.get(base, base)
    if language is not None and base == "media":
        # Legacy ``media::image::English``: the medium is part of the language suffix.
        medium, _, language = language.partition("::")
        base = medium.strip().lower() or base
    return base, (language.strip() if language is not None else None)


def read_sheet(name: str, rows: Iterable[tuple[Any, ...]]) -> Sheet:
    """Build a :class:`Sheet`: the first non-blank row is the header, blank rows are skipped."""
    iterator = iter(enumerate(rows, start=1))
    header: list[str] = []
    header_row = 1
    for number, values in iterator:
        header = [cell_text(v) for v in values]
        if any(header):
            header_row = number
            break
    colon_ok = not any("::" in h for h in header)
    columns = []
    for index, raw in enumerate(header, start=1):
        if raw:
            base, language = normalise_header(raw, colon_ok)
            code = language_code(language) if language else None
            columns.append(Column(index, raw.strip(), base, code))
    data: list[Row] = []
    for number, values in iterator:
        # Formatted but empty rows can run to Excel's last row (1,048,576): skip them fast.
        if not values or all(value is None for value in values):
            continue
        row = Row(number)
        for column in columns:
            value = values[column.index - 1] if column.index <= len(values) else None
            text = cell_text(value)
            if text:
                row.values[(column.base, column.language)] = text
        if row.values:
            data.append(row)
    return Sheet(name, columns, data, header_row)
