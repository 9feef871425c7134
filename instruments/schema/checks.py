"""Consistency rules of a questionnaire definition (everything except expressions).

Each check appends :class:`ValidationIssue` objects located by JSON path and never stops
early: an author fixing a spreadsheet wants every problem in one report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from instruments.messages import Message, gettext_noop

from .issues import ValidationIssue
from .model import (
    CHOICE_TYPES,
    IMPLICIT_OTHER,
    NUMERIC_TYPES,
    Instrument,
    Item,
    ItemType,
)

CODE_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
# Control characters cannot be stored in .xlsx (XML) and are invisible to authors anyway.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*\Z")
#: Prefix reserved for choice-filter column references (see ``choice_filter``).
RESERVED_PREFIX = "__"

MISSING_ID = gettext_noop("The questionnaire has no id")
NO_LANGUAGES = gettext_noop("No language is declared")
BAD_LANGUAGE = gettext_noop("'{language}' is not a language code such as zh-hans or en")
DUPLICATE_LANGUAGE = gettext_noop("Language '{language}' is declared twice")
DEFAULT_NOT_DECLARED = gettext_noop(
    "The default language '{language}' is not one of the declared languages ({languages})"
)
MISSING_TRANSLATION = gettext_noop("The {field} is missing in language '{language}'")
CONTROL_CHARACTER = gettext_noop(
    "The {field} in language '{language}' contains an invisible control character (code {code})"
)
UNDECLARED_LANGUAGE = gettext_noop(
    "Text in language '{language}', which is not declared ({languages})"
)
BAD_CODE = gettext_noop(
    "'{code}' is not a valid code: start with a letter or '_' and use only letters, "
    "digits, '_', '-' and '.'"
)
RESERVED_CODE = gettext_noop("Codes starting with '__' are reserved: '{code}'")
DUPLICATE_CODE = gettext_noop("The code '{code}' is already used earlier in the questionnaire")
OTHER_CODE_TAKEN = gettext_noop(
    "The 'please specify' answer of this item would be '{code}', which is already used"
)
DUPLICATE_LIST = gettext_noop("Choice list '{name}' is defined twice")
EMPTY_LIST = gettext_noop("Choice list '{name}' has no choices")
BAD_CHOICE_CODE = gettext_noop("Choice code '{code}' must not contain spaces")
DUPLICATE_CHOICE = gettext_noop("Choice code '{code}' appears twice in list '{name}'")
UNKNOWN_LIST = gettext_noop("Unknown choice list '{name}'")
NEEDS_LIST = gettext_noop("A {type} item needs a choice list")
NOT_APPLICABLE = gettext_noop("'{field}' does not apply to {type} items")
MIN_GT_MAX = gettext_noop("The minimum ({min}) is greater than the maximum ({max})")
TOO_FEW_OPTIONS = gettext_noop("{field} is {value} but the list has only {count} options")
WHOLE_NUMBER = gettext_noop("{field} of a {type} item must be a whole number")
NOT_IN_LIST = gettext_noop("Option '{code}' is not in choice list '{name}'")
EXCLUSIVE_IS_OTHER = gettext_noop("The 'other' option '{code}' cannot also be exclusive")
ORDERED_SCALE = gettext_noop("The options of a likert scale are ordered and cannot be shuffled")
NOTE_REQUIRED = gettext_noop(
    "A note displays text only and cannot be required; to stop inconsistent answers, put a "
    "constraint on the question instead"
)
NO_ROWS = gettext_noop("A matrix needs at least one row")
ZERO_LENGTH = gettext_noop("The maximum length must be at least 1")
UNKNOWN_GROUP = gettext_noop("Unknown group '{code}'")
GROUP_CYCLE = gettext_noop("Group '{code}' is nested inside itself")
EMPTY_GROUP = gettext_noop("Group '{code}' contains no items")
SPLIT_GROUP = gettext_noop(
    "The items of group '{code}' must be next to each other; item '{item}' interrupts them"
)

# Which optional fields each type may use; any other non-default value is an error.
_CHOICE_FIELDS = {"choices", "randomize", "choice_filter"}
_ALLOWED: dict[ItemType, set[str]] = {
    ItemType.SINGLE: _CHOICE_FIELDS | {"other_choice"},
    ItemType.MULTIPLE: _CHOICE_FIELDS | {"other_choice", "exclusive", "min_choices", "max_choices"},
    ItemType.LIKERT: {"choices"},
    ItemType.MATRIX: {"choices", "rows", "randomize"},
    ItemType.RANKING: _CHOICE_FIELDS | {"min_choices", "max_choices"},
    ItemType.INTEGER: {"min_value", "max_value", "unit"},
    ItemType.DECIMAL: {"min_value", "max_value", "unit"},
    ItemType.YEAR: {"min_value", "max_value"},
    ItemType.TEXT: {"long", "max_length"},
    ItemType.DATE: set(),
    ItemType.NOTE: set(),
}
_OPTIONAL = ("choices", "choice_filter", "other_choice", "randomize", "exclusive",
             "min_choices", "max_choices", "min_value", "max_value", "unit", "long",
             "max_length", "rows")  # fmt: skip


def check_structure(instrument: Instrument) -> list[ValidationIssue]:
    issues = _Issues()
    _check_metadata(instrument, issues)
    _check_codes(instrument, issues)
    _check_choice_lists(instrument, issues)
    for index, item in enumerate(instrument.items):
        _check_item(instrument, index, item, issues)
    _check_groups(instrument, issues)
    return issues.items


class _Issues:
    def __init__(self) -> None:
        self.items: list[ValidationIssue] = []

    def add(self, path: str, msgid: str, kind: str = "invalid", **params: Any) -> None:
        self.items.append(ValidationIssue(Message(msgid, params), kind=kind, path=path))


def _check_metadata(instrument: Instrument, issues: _Issues) -> None:
    if not instrument.id:
        issues.add("id", MISSING_ID)
    if not instrument.languages:
        issues.add("languages", NO_LANGUAGES)
    seen: set[str] = set()
    for index, language in enumerate(instrument.languages):
        if not LANGUAGE_PATTERN.match(language):
            issues.add(f"languages[{index}]", BAD_LANGUAGE, language=language)
        if language in seen:
            issues.add(f"languages[{index}]", DUPLICATE_LANGUAGE, language=language)
        seen.add(language)
    if instrument.languages and instrument.default_language not in instrument.languages:
        issues.add(
            "default_language",
            DEFAULT_NOT_DECLARED,
            language=instrument.default_language,
            languages=", ".join(instrument.languages),
        )
    check_text(instrument, instrument.title, "title", "title", issues, required=True)


def check_text(
    instrument: Instrument,
    text: Mapping[str, str],
    path: str,
    field: str,
    issues: _Issues,
    required: bool,
) -> None:
    """A text must be in every declared language if required or given in any language."""
    languages = instrument.languages
    for language in text:
        if language not in languages:
            issues.add(
                f"{path}.{language}",
                UNDECLARED_LANGUAGE,
                kind="translation",
                language=language,
                languages=", ".join(languages),
            )
    for language, value in text.items():
        bad = _CONTROL.search(value)
        if bad:
            issues.add(f"{path}.{language}", CONTROL_CHARACTER, field=field, language=language,
                       code=f"U+{ord(bad.group()):04X}")  # fmt: skip
    if not required and not text:
        return
    for language in languages:
        if not text.get(language):
            issues.add(
                f"{path}.{language}",
                MISSING_TRANSLATION,
                kind="translation",
                field=field,
                language=language,
            )


def _check_codes(instrument: Instrument, issues: _Issues) -> None:
    """Item, row, group and derived ``_other`` codes share one namespace, as in XLSForm."""
    seen: set[str] = set()

    def claim(code: str, path: str, derived: bool = False) -> None:
        if not derived and not CODE_PATTERN.match(code):
            issues.add(path, BAD_CODE, kind="bad_code", code=code)
        elif code.startswith(RESERVED_PREFIX):
            issues.add(path, RESERVED_CODE, kind="bad_code", code=code)
        if code in seen:
            message = OTHER_CODE_TAKEN if derived else DUPLICATE_CODE
            issues.add(path, message, kind="duplicate_code", code=code)
        seen.add(code)

    for index, group in enumerate(instrument.groups):
        claim(group.code, f"groups[{index}].code")
    for index, item in enumerate(instrument.items):
        claim(item.code, f"items[{index}].code")
        if item.type is ItemType.MATRIX:
            for row_index, row in enumerate(item.rows):
                claim(row.code, f"items[{index}].rows[{row_index}].code")
    # Derived codes last, so a clash blames the item that asked for "please specify".
    for index, item in enumerate(instrument.items):
        if item.other_code and item.type in (ItemType.SINGLE, ItemType.MULTIPLE):
            claim(item.other_code, f"items[{index}].other_choice", derived=True)


def _check_choice_lists(instrument: Instrument, issues: _Issues) -> None:
    names: set[str] = set()
    for index, choice_list in enumerate(instrument.choice_lists):
        path = f"choice_lists[{index}]"
        if choice_list.name in names:
            issues.add(f"{path}.name", DUPLICATE_LIST, kind="duplicate_code", name=choice_list.name)
        names.add(choice_list.name)
        if not choice_list.choices:
            issues.add(f"{path}.name", EMPTY_LIST, name=choice_list.name)
        codes: set[str] = set()
        for choice_index, choice in enumerate(choice_list.choices):
            choice_path = f"{path}.choices[{choice_index}]"
            if any(ch.isspace() for ch in choice.code):
                issues.add(
                    f"{choice_path}.code", BAD_CHOICE_CODE, kind="bad_code", code=choice.code
                )
            if choice.code in codes:
                issues.add(
                    f"{choice_path}.code",
                    DUPLICATE_CHOICE,
                    kind="duplicate_code",
                    code=choice.code,
                    name=choice_list.name,
                )
            codes.add(choice.code)
            check_text(instrument, choice.label, f"{choice_path}.label", "label", issues, True)


def _check_item(instrument: Instrument, index: int, item: Item, issues: _Issues) -> None:
    path = f"items[{index}]"
    check_text(instrument, item.label, f"{path}.label", "label", issues, required=True)
    for field in ("hint", "constraint_message", "unit"):
        check_text(instrument, getattr(item, field), f"{path}.{field}", field, issues, False)
    allowed = _ALLOWED[item.type]
    for field in _OPTIONAL:
        if field in allowed or getattr(item, field) in (None, False, (), {}):
            continue
        if item.type is ItemType.LIKERT and field == "randomize":
            issues.add(f"{path}.{field}", ORDERED_SCALE)
        else:
            issues.add(f"{path}.{field}", NOT_APPLICABLE, field=field, type=item.type.value)
    if item.type is ItemType.NOTE and item.required:
        issues.add(f"{path}.required", NOTE_REQUIRED)
    if item.type is ItemType.NOTE and item.constraint:
        issues.add(f"{path}.constraint", NOT_APPLICABLE, field="constraint", type="note")
    if item.group is not None and instrument.group(item.group) is None:
        issues.add(f"{path}.group", UNKNOWN_GROUP, code=item.group)
    if item.type in CHOICE_TYPES:
        _check_item_choices(instrument, path, item, issues)
    if item.type in NUMERIC_TYPES:
        _check_bounds(path, item, issues)
    if item.type is ItemType.TEXT and item.max_length == 0:
        issues.add(f"{path}.max_length", ZERO_LENGTH)
    if item.type is ItemType.MATRIX:
        if not item.rows:
            issues.add(f"{path}.rows", NO_ROWS)
        for row_index, row in enumerate(item.rows):
            check_text(
                instrument, row.label, f"{path}.rows[{row_index}].label", "label", issues, True
            )


def _check_item_choices(instrument: Instrument, path: str, item: Item, issues: _Issues) -> None:
    if not item.choices:
        issues.add(f"{path}.choices", NEEDS_LIST, type=item.type.value)
        return
    choice_list = instrument.choice_list(item.choices)
    if choice_list is None:
        issues.add(f"{path}.choices", UNKNOWN_LIST, kind="unknown_list", name=item.choices)
        return
    codes = choice_list.codes
    other = item.other_choice
    if other and other not in codes and other != IMPLICIT_OTHER:
        issues.add(f"{path}.other_choice", NOT_IN_LIST, code=other, name=choice_list.name)
    for code_index, code in enumerate(item.exclusive):
        code_path = f"{path}.exclusive[{code_index}]"
        if code not in codes:
            issues.add(code_path, NOT_IN_LIST, code=code, name=choice_list.name)
        elif code == other:
            issues.add(code_path, EXCLUSIVE_IS_OTHER, code=code)
    available = len(instrument.choice_options(item))
    _check_min_max(f"{path}.min_choices", item.min_choices, item.max_choices, issues)
    for field in ("min_choices", "max_choices"):
        value = getattr(item, field)
        if value is not None and value > available:
            issues.add(
                f"{path}.{field}", TOO_FEW_OPTIONS, field=field, value=value, count=available
            )


def _check_bounds(path: str, item: Item, issues: _Issues) -> None:
    _check_min_max(f"{path}.min_value", item.min_value, item.max_value, issues)
    if item.type is ItemType.DECIMAL:
        return
    for field in ("min_value", "max_value"):
        value = getattr(item, field)
        if isinstance(value, float):
            issues.add(f"{path}.{field}", WHOLE_NUMBER, field=field, type=item.type.value)


def _check_min_max(path: str, low: float | None, high: float | None, issues: _Issues) -> None:
    # ``path`` names the minimum: with only two numbers there is no telling which is wrong,
    # and pointing at one cell is more useful than pointing at none.
    if low is not None and high is not None and low > high:
        issues.add(path, MIN_GT_MAX, kind="min_max", min=low, max=high)


def _check_groups(instrument: Instrument, issues: _Issues) -> None:
    members: dict[str, list[int]] = {group.code: [] for group in instrument.groups}
    for index, group in enumerate(instrument.groups):
        if group.parent is not None and instrument.group(group.parent) is None:
            issues.add(f"groups[{index}].parent", UNKNOWN_GROUP, code=group.parent)
        if _in_cycle(instrument, group.code):
            issues.add(f"groups[{index}].parent", GROUP_CYCLE, code=group.code)
    for item_index, item in enumerate(instrument.items):
        for group in instrument.ancestors(item.group):
            members[group.code].append(item_index)
    for index, group in enumerate(instrument.groups):
        indices = members[group.code]
        if not indices:
            issues.add(f"groups[{index}].code", EMPTY_GROUP, kind="empty_group", code=group.code)
            continue
        intruder = _first_gap(indices)
        if intruder is not None:
            code = instrument.items[intruder].code
            issues.add(f"items[{intruder}].group", SPLIT_GROUP, code=group.code, item=code)


def _in_cycle(instrument: Instrument, code: str) -> bool:
    start = instrument.group(code)
    parent = start.parent if start else None
    seen = {code}
    while parent is not None:
        if parent in seen:
            return parent == code
        seen.add(parent)
        group = instrument.group(parent)
        parent = group.parent if group else None
    return False


def _first_gap(indices: Iterable[int]) -> int | None:
    """The first item index missing from an ascending run, or None if there is no gap."""
    previous: int | None = None
    for index in indices:
        if previous is not None and index != previous + 1:
            return previous + 1
        previous = index
    return None


def group_spans(instrument: Instrument) -> dict[str, int]:
    """Index of the first item inside each group (groups without items are left out)."""
    first: dict[str, int] = {}
    for index, item in enumerate(instrument.items):
        for group in instrument.ancestors(item.group):
            first.setdefault(group.code, index)
    return first
