"""``read_xlsform``: an XLSForm workbook → (Instrument | None, issues with cell locations)."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from openpyxl import load_workbook

from instruments.logic import LogicSyntaxError, parse
from instruments.logic.errors import UNEXPECTED_CHAR, UNKNOWN_FUNCTION
from instruments.messages import Message, gettext_noop
from instruments.schema import Instrument, ValidationIssue, load_definition, parse_filter

from . import features
from .guard import XLSFORM_LIMITS, WorkbookLimits, WorkbookRefused, check_container, scan_parts
from .sheets import TRANSLATABLE, Row, Sheet, language_code, read_sheet
from .sourcemap import ListSource, SourceMap
from .survey import SurveyReader

WorkbookSource = str | os.PathLike[str] | bytes | IO[bytes]

NOT_XLSX = gettext_noop("The file is not a readable .xlsx workbook ({error})")
OLD_XLS = gettext_noop(
    "This is an old .xls workbook; open it in a spreadsheet program and save it as .xlsx"
)
NO_SURVEY = gettext_noop("The workbook has no 'survey' sheet")
NO_LIST_NAME = gettext_noop("The choice has no list_name")
SLASH = gettext_noop(
    "'/' is not an operator here: divide with div, and refer to answers as ${{code}}"
)
_SPECIAL_SHEETS = {
    "external_choices": gettext_noop("choices from external files are not supported"),
    "entities": gettext_noop("ODK entities are not supported"),
    "osm": gettext_noop("OpenStreetMap questions are not supported"),
}
_CHOICE_STANDARD = frozenset({"list_name", "name", "label"})
_MEDIA = frozenset({"image", "audio", "video", "big-image", "media"})
_JR_FUNCTION = re.compile(r"jr:[A-Za-z-]+")
_INSTANCE = re.compile(r"\binstance\s*\(")


def read_xlsform(
    source: WorkbookSource,
    *,
    form_id: str | None = None,
    default_language: str = "zh-hans",
    limits: WorkbookLimits | None = XLSFORM_LIMITS,
) -> tuple[Instrument | None, list[ValidationIssue]]:
    """Read an XLSForm from a path, bytes or binary file object.

    ``form_id`` is used when the settings sheet gives none (default: the file name);
    ``default_language`` is the language of unsuffixed columns such as plain ``label``
    when the settings sheet names no default language. The workbook is first checked
    against ``limits`` (``guard.py``: ZIP and XML bombs, oversized sheets) and refused
    with one "file" issue; ``None`` skips that, for a caller that just ran the checks.
    This bounds what a file may ask for but not the parse itself: an upload is read
    through ``sandbox.read_xlsform_bounded``, in a child process with hard limits.
    """
    data, problem = _read_bytes(source)
    if data is None:
        return None, [problem]
    if limits is not None:
        try:
            check_container(data, limits)
            scan_parts(data, limits)
        except WorkbookRefused as refusal:
            return None, [ValidationIssue(refusal.message, kind="file")]
    sheets = _load_sheets(data)
    if isinstance(sheets, ValidationIssue):
        return None, [sheets]
    fallback_id = form_id or (
        Path(os.fspath(source)).stem if isinstance(source, str | os.PathLike) else "form"
    )
    return _Reader(sheets, fallback_id, default_language).run()


def _read_bytes(source: WorkbookSource) -> tuple[bytes | None, ValidationIssue]:
    try:
        if isinstance(source, bytes):
            data = source
        elif isinstance(source, str | os.PathLike):
            data = Path(source).read_bytes()
        else:
            data = source.read()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return None, ValidationIssue(Message(NOT_XLSX, {"error": reason}), kind="file")
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: the pre-2007 binary format
        return None, ValidationIssue(Message(OLD_XLS), kind="file")
    return data, ValidationIssue(Message(NOT_XLSX, {"error": ""}), kind="file")


def _load_sheets(data: bytes) -> dict[str, Sheet] | ValidationIssue:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            found = {_sheet_key(ws.title): ws for ws in workbook.worksheets}
            if "survey" not in found:
                return ValidationIssue(Message(NO_SURVEY), kind="structure")
            keys = ("survey", "choices", "settings", *_SPECIAL_SHEETS)
            return {key: _load_sheet(found[key]) for key in keys if key in found}
        finally:
            workbook.close()
    # openpyxl reports a damaged file with many exception types (zip, XML, KeyError...);
    # an uploaded file is untrusted, so any of them means "not a readable workbook".
    except Exception as error:
        return ValidationIssue(Message(NOT_XLSX, {"error": type(error).__name__}), kind="file")


def _load_sheet(worksheet: Any) -> Sheet:
    # Many files declare a dimension far larger than their data (A1:AMJ1048576 is common);
    # trusting it would pad every row to a thousand cells.
    worksheet.reset_dimensions()
    return read_sheet(worksheet.title, worksheet.iter_rows(values_only=True))


def _sheet_key(title: str) -> str:
    return re.sub(r"\s+", "_", title.strip().lower())


class _Reader:
    def __init__(self, sheets: dict[str, Sheet], fallback_id: str, default_language: str) -> None:
        self.sheets = sheets
        self.survey = sheets["survey"]
        self.choices = sheets.get("choices")
        self.settings = sheets.get("settings")
        self.settings_row: Row | None = (
            self.settings.rows[0] if self.settings and self.settings.rows else None
        )
        self.fallback_id = fallback_id
        self.issues: list[ValidationIssue] = []
        self.languages, self.default = self._languages(default_language)

    def setting(self, name: str, language: str | None = None) -> str:
        return self.settings_row.get(name, language) if self.settings_row else ""

    def _languages(self, fallback: str) -> tuple[list[str], str]:
        declared: list[str] = []
        for sheet in (self.survey, self.choices, self.settings):
            for language in sheet.languages() if sheet else []:
                if language not in declared:
                    declared.append(language)
        named = self.setting("default_language")
        default = language_code(named) if named else (declared[0] if declared else fallback)
        plain_used = any(
            column.language is None and column.base in TRANSLATABLE
            for sheet in (self.survey, self.choices)
            if sheet
            for column in sheet.columns
        )
        if default not in declared and (plain_used or not declared):
            declared.insert(0, default)
        return declared, default

    def run(self) -> tuple[Instrument | None, list[ValidationIssue]]:
        survey = SurveyReader(self.survey, self.default)
        survey.read()
        lists, list_sources = self._choice_lists()
        self._check_settings()
        self._check_special_sheets()
        definition = {
            "id": self.setting("form_id") or self.fallback_id,
            "version": self.setting("version"),
            "title": self._title(),
            "languages": self.languages,
            "default_language": self.default,
            "groups": survey.groups,
            "items": survey.items,
            "choice_lists": lists,
        }
        source_map = SourceMap(
            self.survey, self.choices, self.settings, self.settings_row, self.default,
            survey.item_sources, survey.group_sources, list_sources,
        )  # fmt: skip
        found = self._refuse_functions(definition)
        instrument, checked = load_definition(definition)
        # A reference to a refused row is already explained by the refusal itself.
        found += [issue for issue in checked if not _refers_to(issue, survey.refused_names)]
        issues = survey.issues + self.issues + [source_map.locate(issue) for issue in found]
        order = {sheet.name: i for i, sheet in enumerate(self.sheets.values())}
        issues.sort(key=lambda i: (order.get(i.sheet or "", -1), i.row or 0))
        return (None if issues else instrument), issues

    def _title(self) -> dict[str, str]:
        titles = {lang: self.setting("form_title", lang) for lang in self.languages}
        plain = self.setting("form_title") or self.setting("form_id") or self.fallback_id
        # XLSForm has one untranslated title; use it for every language without its own.
        return {lang: titles[lang] or plain for lang in self.languages}

    def _choice_lists(self) -> tuple[list[dict[str, Any]], list[ListSource]]:
        lists: dict[str, dict[str, Any]] = {}
        sources: dict[str, ListSource] = {}
        for row in self.choices.rows if self.choices else []:
            name = row.get("list_name")
            if not name:
                self._issue(self.choices, row, "list_name", NO_LIST_NAME, "structure")
                continue
            self._refuse_choice_media(row)
            if name not in lists:
                lists[name] = {"name": name, "choices": []}
                sources[name] = ListSource(row.number)
            texts = row.translations("label")
            plain = texts.pop(None, "")
            label = {lang: text for lang, text in texts.items() if lang}
            if plain and self.default not in label:
                label[self.default] = plain  # An explicit translation wins over the plain column.
            choice: dict[str, Any] = {"code": row.get("name"), "label": label}
            attributes = {
                base: text
                for (base, lang), text in row.values.items()
                if lang is None and base not in _CHOICE_STANDARD | TRANSLATABLE
            }
            if attributes:
                choice["attributes"] = attributes
            lists[name]["choices"].append(choice)
            sources[name].choice_rows.append(row.number)
        return list(lists.values()), list(sources.values())

    def _refuse_choice_media(self, row: Row) -> None:
        for base, language in row.values:
            if base in _MEDIA:
                column = self.choices.column(base, language) if self.choices else None
                header = column.header if column else base
                reason = Message(gettext_noop("images and media in choices are not supported"))
                self._issue(
                    self.choices,
                    row,
                    header,
                    features.COLUMN,
                    "unsupported",
                    feature=header,
                    reason=reason,
                )

    def _check_settings(self) -> None:
        for name, reason in features.REFUSED_SETTINGS.items():
            if self.setting(name) and self.settings and self.settings_row:
                self._issue(self.settings, self.settings_row, name, features.SETTING, "unsupported",
                            feature=name, reason=Message(reason))  # fmt: skip

    def _check_special_sheets(self) -> None:
        for key, reason in _SPECIAL_SHEETS.items():
            sheet = self.sheets.get(key)
            if sheet is not None and sheet.rows:
                self._issue(sheet, sheet.rows[0], None, features.SHEET, "unsupported",
                            feature=sheet.name, reason=Message(reason))  # fmt: skip

    def _issue(
        self,
        sheet: Sheet | None,
        row: Row,
        column: str | None,
        msgid: str,
        kind: str,
        **params: Any,
    ) -> None:
        found = sheet.column(column) if sheet and column else None
        if sheet is not None and found is None and column:
            found = next((c for c in sheet.columns if c.header == column), None)
        self.issues.append(
            ValidationIssue(
                Message(msgid, params),
                kind=kind,
                sheet=sheet.name if sheet else None,
                row=row.number,
                column=found.header if found else column,
                cell=f"{found.letter}{row.number}" if found else None,
            )
        )

    def _refuse_functions(self, definition: dict[str, Any]) -> list[ValidationIssue]:
        """Refuse XLSForm functions the logic language lacks, naming the function.

        The expression is then removed, so the definition check does not report the same
        spot again as a mere syntax error.
        """
        issues: list[ValidationIssue] = []
        for kind in ("groups", "items"):
            for index, obj in enumerate(definition[kind]):
                for field_name in ("relevance", "constraint", "choice_filter"):
                    source = obj.get(field_name)
                    check: Callable[[str], Any] = (
                        parse_filter if field_name == "choice_filter" else parse
                    )
                    refusal = _unsupported_function(source, check) if source else None
                    if refusal is not None:
                        msgid, params, position = refusal
                        path = f"{kind}[{index}].{field_name}"
                        issue = ValidationIssue(
                            Message(msgid, params), "unsupported", path, position=position
                        )
                        issues.append(issue)
                        del obj[field_name]
        return issues


def _refers_to(issue: ValidationIssue, names: set[str]) -> bool:
    params = issue.message.params
    if issue.kind == "unknown_reference":
        return params.get("name") in names
    return issue.kind == "empty_group" and params.get("code") in names


def _unsupported_function(
    source: str, check: Callable[[str], Any]
) -> tuple[str, dict[str, Any], int] | None:
    # Both fail in the tokenizer (":" and "/"), before the parser could name the function.
    jr = _JR_FUNCTION.search(source)
    if jr:
        return features.FUNCTION, _function_params(jr.group(0) + "()"), jr.start() + 1
    lookup = _INSTANCE.search(source)
    if lookup:
        return features.LOOKUP, {"feature": "instance()"}, lookup.start() + 1
    try:
        check(source)
    except LogicSyntaxError as error:
        params = error.message.params
        if error.message.msgid == UNKNOWN_FUNCTION:
            name = params.get("name", "")
            return features.FUNCTION, _function_params(f"{name}()"), error.column
        if error.message.msgid == UNEXPECTED_CHAR and params.get("char") == "/":
            return SLASH, {"feature": "/"}, error.column
    return None


def _function_params(feature: str) -> dict[str, Any]:
    return {"feature": feature, "available": ", ".join(sorted(features.KNOWN_FUNCTIONS))}
