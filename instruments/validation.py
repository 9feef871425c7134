"""Server-side checks of a respondent's answers (pure Python; the form layer calls these).

Answers are a mapping from answer code to value, as in :mod:`instruments.logic`: a choice
code (``str``) for single choice, likert and each matrix row (``D5_r1``); ``list[str]`` for
multiple choice and ranking (ranking in rank order); ``int`` for integer and year (a string
of digits is accepted, since HTML forms post text); ``int``/``float`` for decimal; ``str``
for text, for ``<code>_other`` and for a date (``YYYY-MM-DD``).

Visibility is computed in one pass from the top: an item is shown when its groups' and its
own relevance hold, evaluated over the answers of *shown* earlier items only. An answer
left behind on a now-hidden question therefore never steers later logic, as in ODK.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from instruments.logic import Expr, LogicError, evaluate, is_true, parse
from instruments.messages import Message, gettext_noop
from instruments.schema import Instrument, Item, ItemType, allowed_choices
from instruments.text import MAX_STORED_TEXT_LENGTH, SHORT_TEXT_LENGTH, text_limit, value_problem

#: Upper bound for any free text, whatever its item says (protects storage).
MAX_TEXT_LENGTH = MAX_STORED_TEXT_LENGTH

REQUIRED = gettext_noop("This question requires an answer")
NOT_AN_OPTION = gettext_noop("'{value}' is not one of the options")
NOT_A_SELECTION = gettext_noop("Choose options from the list")
CHOSEN_TWICE = gettext_noop("'{value}' is chosen more than once")
TOO_FEW_CHOSEN = gettext_noop("Choose at least {min} options")
TOO_MANY_CHOSEN = gettext_noop("Choose at most {max} options")
TOO_FEW_RANKED = gettext_noop("Rank at least {min} options")
TOO_MANY_RANKED = gettext_noop("Rank at most {max} options")
EXCLUSIVE = gettext_noop("'{label}' cannot be combined with other options")
NOT_INTEGER = gettext_noop("Enter a whole number")
NOT_NUMBER = gettext_noop("Enter a number")
NOT_YEAR = gettext_noop("Enter a year with four digits, such as 1985")
BELOW_MIN = gettext_noop("The value must be at least {min}")
ABOVE_MAX = gettext_noop("The value must be at most {max}")
NOT_TEXT = gettext_noop("Enter text")
TOO_LONG = gettext_noop("The text is too long ({length} characters; at most {max})")
NOT_DATE = gettext_noop("Enter a date as YYYY-MM-DD")
SPECIFY_OTHER = gettext_noop("Please specify your answer for '{label}'")
SPECIFY_OTHER_PLAIN = gettext_noop("Please specify your other answer")
#: Never quotes the value: a lone surrogate cannot even be printed in the reply.
INVALID_TEXT = gettext_noop(
    "The answer contains characters that are not valid text (such as half of an emoji or "
    "a reserved code point); please type it again"
)
CONSTRAINT_FAILED = gettext_noop("This answer does not meet the condition for this question")
#: Author-written constraint messages are already in the respondent's language; this msgid
#: renders them unchanged.
AUTHOR_TEXT = gettext_noop("{text}")

_INTEGER_TEXT = re.compile(r"\s*-?\d+\s*\Z")
_DECIMAL_TEXT = re.compile(r"\s*-?(\d+(\.\d*)?|\.\d+)\s*\Z")
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_TEXT_REFERENCE = re.compile(r"\$\{([^}]*)\}")


@lru_cache(maxsize=4096)
def _tree(source: str) -> Expr:
    # Definitions are validated before use, so parse errors cannot happen here; caching
    # matters because every page view re-evaluates every condition.
    return parse(source)


def _holds(source: str | None, answers: Mapping[str, Any], current: Any = None) -> bool:
    if not source:
        return True
    try:
        return is_true(evaluate(_tree(source), answers, current))
    except LogicError:
        return False  # Only reachable with malformed answers, which are reported anyway.


def shown_answers(
    instrument: Instrument, answers: Mapping[str, Any]
) -> tuple[list[Item], dict[str, Any]]:
    """The visible items and the answers that belong to them (hidden answers dropped)."""
    shown: dict[str, Any] = {}
    visible: list[Item] = []
    group_shown: dict[str, bool] = {}
    for item in instrument.items:
        if not _groups_shown(instrument, item, shown, group_shown) or not _holds(
            item.relevance, shown
        ):
            continue
        visible.append(item)
        for code in item.answer_codes:
            if code in answers and answers[code] is not None:
                shown[code] = answers[code]
    return visible, shown


def _groups_shown(
    instrument: Instrument, item: Item, shown: Mapping[str, Any], cache: dict[str, bool]
) -> bool:
    # Outermost first: a hidden outer group hides everything inside without evaluating more.
    for group in reversed(instrument.ancestors(item.group)):
        if group.code not in cache:
            cache[group.code] = _holds(group.relevance, shown)
        if not cache[group.code]:
            return False
    return True


def visible_items(instrument: Instrument, answers: Mapping[str, Any]) -> list[Item]:
    return shown_answers(instrument, answers)[0]


def shown_pages(instrument: Instrument, visible: Iterable[Item]) -> list[str]:
    """Codes of the pages, in order, that show at least one of the ``visible`` items
    (see :func:`visible_items`): the pages a respondent steps through."""
    codes = {item.code for item in visible}
    return [page.code for page in instrument.pages() if any(i.code in codes for i in page.items)]


def available_options(
    instrument: Instrument, item: Item, answers: Mapping[str, Any]
) -> tuple[str, ...]:
    """Option codes to offer for ``item`` now: its list after the choice filter, plus an
    implicit "other". Pass the shown answers (see :func:`shown_answers`)."""
    options = instrument.choice_options(item)
    choice_list = instrument.choice_list(item.choices)
    if not item.choice_filter or choice_list is None:
        return options
    kept = {c.code for c in allowed_choices(choice_list, item.choice_filter, answers)}
    return tuple(code for code in options if code in kept or code == item.other_choice)


def validate_answers(
    instrument: Instrument,
    answers: Mapping[str, Any],
    page: str | None = None,
    language: str | None = None,
) -> dict[str, Message]:
    """Problems keyed by answer code (item, matrix row or ``<code>_other``), in order.

    ``page`` limits the check to one screen (a code from ``instrument.pages()``); visibility
    still uses every answer. ``language`` picks the author's constraint messages and option
    labels quoted in messages (default: the instrument's default language).
    """
    visible, shown = shown_answers(instrument, answers)
    if page is not None:
        codes = {item.code for p in instrument.pages() if p.code == page for item in p.items}
        if not codes:
            raise ValueError(f"unknown page {page!r}")
        visible = [item for item in visible if item.code in codes]
    checker = _AnswerChecker(instrument, shown, language or instrument.default_language)
    for item in visible:
        checker.check(item)
    return checker.errors


class _AnswerChecker:
    def __init__(self, instrument: Instrument, shown: Mapping[str, Any], language: str) -> None:
        self.instrument = instrument
        self.shown = shown
        self.language = language
        self.errors: dict[str, Message] = {}

    def fail(self, code: str, msgid: str, **params: Any) -> None:
        self.errors.setdefault(code, Message(msgid, params))

    def check(self, item: Item) -> None:
        if item.type is ItemType.NOTE:
            return
        if item.type is ItemType.MATRIX:
            for row in item.rows:
                self.check_value(item, row.code)
            return
        self.check_value(item, item.code)
        if item.other_code:
            self.check_other(item)

    def check_value(self, item: Item, code: str) -> None:
        value = self.shown.get(code)
        if _is_empty(value):
            if item.required:
                self.fail(code, REQUIRED)
            return
        if value_problem(value) is not None:
            # First, for every type: the other checks quote the value in their message.
            self.fail(code, INVALID_TEXT)
            return
        before = len(self.errors)
        self.check_type(item, code, value)
        if len(self.errors) == before and not _holds(item.constraint, self.shown, value):
            self.errors.setdefault(code, self.constraint_failure(item))

    def check_type(self, item: Item, code: str, value: Any) -> None:
        kind = item.type
        if kind in (ItemType.SINGLE, ItemType.LIKERT, ItemType.MATRIX):
            self.check_single(item, code, value)
        elif kind in (ItemType.MULTIPLE, ItemType.RANKING):
            self.check_selection(item, code, value)
        elif kind in (ItemType.INTEGER, ItemType.YEAR, ItemType.DECIMAL):
            self.check_number(item, code, value)
        elif kind is ItemType.TEXT:
            self.check_text(code, value, text_limit(item.long, item.max_length))
        elif kind is ItemType.DATE:
            self.check_date(code, value)

    def options(self, item: Item) -> tuple[str, ...]:
        return available_options(self.instrument, item, self.shown)

    def check_single(self, item: Item, code: str, value: Any) -> None:
        if not isinstance(value, str) or value not in self.options(item):
            self.fail(code, NOT_AN_OPTION, value=value)

    def check_selection(self, item: Item, code: str, value: Any) -> None:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            self.fail(code, NOT_A_SELECTION)
            return
        options = self.options(item)
        for index, choice in enumerate(value):
            if choice not in options:
                self.fail(code, NOT_AN_OPTION, value=choice)
            elif choice in value[:index]:
                self.fail(code, CHOSEN_TWICE, value=choice)
        ranking = item.type is ItemType.RANKING
        if item.min_choices is not None and len(value) < item.min_choices:
            self.fail(code, TOO_FEW_RANKED if ranking else TOO_FEW_CHOSEN, min=item.min_choices)
        if item.max_choices is not None and len(value) > item.max_choices:
            self.fail(code, TOO_MANY_RANKED if ranking else TOO_MANY_CHOSEN, max=item.max_choices)
        for exclusive in item.exclusive:
            if exclusive in value and len(value) > 1:
                self.fail(code, EXCLUSIVE, label=self.choice_label(item, exclusive))

    def check_number(self, item: Item, code: str, value: Any) -> None:
        number = _as_number(value, whole=item.type is not ItemType.DECIMAL)
        if number is None:
            msgid = {ItemType.DECIMAL: NOT_NUMBER, ItemType.YEAR: NOT_YEAR}.get(
                item.type, NOT_INTEGER
            )
            self.fail(code, msgid)
            return
        if item.type is ItemType.YEAR and not 1000 <= number <= 9999:
            self.fail(code, NOT_YEAR)
        elif item.min_value is not None and number < item.min_value:
            self.fail(code, BELOW_MIN, min=item.min_value)
        elif item.max_value is not None and number > item.max_value:
            self.fail(code, ABOVE_MAX, max=item.max_value)

    def check_text(self, code: str, value: Any, limit: int) -> None:
        if not isinstance(value, str):
            self.fail(code, NOT_TEXT)
            return
        if value_problem(value) is not None:
            self.fail(code, INVALID_TEXT)
        elif len(value) > limit:
            self.fail(code, TOO_LONG, length=len(value), max=limit)

    def check_date(self, code: str, value: Any) -> None:
        if not isinstance(value, str) or not _DATE_TEXT.match(value.strip()):
            self.fail(code, NOT_DATE)
            return
        try:
            date.fromisoformat(value.strip())
        except ValueError:
            self.fail(code, NOT_DATE)

    def check_other(self, item: Item) -> None:
        value = self.shown.get(item.code)
        chosen = value == item.other_choice or (
            isinstance(value, list | tuple) and item.other_choice in value
        )
        other_code = item.other_code or ""
        text = self.shown.get(other_code)
        choice_list = self.instrument.choice_list(item.choices)
        explicit = choice_list is not None and choice_list.get(item.other_choice or "")
        if not chosen and not _is_empty(text):
            # Kept with the answers although unused: it must be valid text all the same.
            self.check_text(other_code, text, SHORT_TEXT_LENGTH)
        elif chosen and _is_empty(text) and explicit:
            label = self.choice_label(item, item.other_choice or "")
            self.fail(other_code, SPECIFY_OTHER, label=label)
        elif chosen and _is_empty(text):
            self.fail(other_code, SPECIFY_OTHER_PLAIN)
        elif chosen:
            # The form's "please specify" box is one line (maxlength 200).
            self.check_text(other_code, text, SHORT_TEXT_LENGTH)

    def choice_label(self, item: Item, code: str) -> str:
        choice_list = self.instrument.choice_list(item.choices)
        choice = choice_list.get(code) if choice_list else None
        if choice is None:
            return code
        return choice.label.get(self.language) or choice.label.get(
            self.instrument.default_language, code
        )

    def constraint_failure(self, item: Item) -> Message:
        messages = item.constraint_message
        text = messages.get(self.language) or messages.get(self.instrument.default_language)
        if not text:
            return Message(CONSTRAINT_FAILED)
        filled = _TEXT_REFERENCE.sub(lambda m: _display(self.shown.get(m.group(1))), text)
        return Message(AUTHOR_TEXT, {"text": filled})


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple) and not value


def _as_number(value: Any, whole: bool) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        pattern = _INTEGER_TEXT if whole else _DECIMAL_TEXT
        if not pattern.match(value):
            return None
        value = int(value) if whole else float(value)
    if isinstance(value, float):
        if not math.isfinite(value) or (whole and not value.is_integer()):
            return None
        return int(value) if whole else value
    return value if isinstance(value, int) else None


def _display(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
