"""What changed between two versions of a questionnaire, and whether waves stay comparable.

A change *breaks comparability* when an answer given under the old version cannot be put
next to one given under the new version as the same measurement: the item is gone, its
answer type changed, the question or an option was reworded (in any language — a
respondent reading English answered that wording), options were added or removed, a unit
changed, or selection limits changed (they shift multiple-choice shares). Hints, required,
conditions, value bounds, exclusive flags and option order do not break it; they are still
listed, because a skip-logic change alters who answers and belongs in the wave notes.

Choice lists are compared by content, so renaming a list changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from instruments.messages import Message, gettext_noop
from instruments.schema import Choice, Instrument, Item


class ChangeKind(StrEnum):
    ITEM_ADDED = "item_added"
    ITEM_REMOVED = "item_removed"
    TYPE_CHANGED = "type_changed"
    WORDING_CHANGED = "wording_changed"
    HINT_CHANGED = "hint_changed"
    CHOICE_ADDED = "choice_added"
    CHOICE_REMOVED = "choice_removed"
    CHOICE_RELABELLED = "choice_relabelled"
    CHOICES_REORDERED = "choices_reordered"
    ROW_ADDED = "row_added"
    ROW_REMOVED = "row_removed"
    ROW_RELABELLED = "row_relabelled"
    LOGIC_CHANGED = "logic_changed"
    REQUIRED_CHANGED = "required_changed"
    SETTING_CHANGED = "setting_changed"


_MESSAGES = {
    ChangeKind.ITEM_ADDED: gettext_noop("{code}: new question"),
    ChangeKind.ITEM_REMOVED: gettext_noop("{code}: question removed"),
    ChangeKind.TYPE_CHANGED: gettext_noop("{code}: answer type changed from {old} to {new}"),
    ChangeKind.WORDING_CHANGED: gettext_noop("{code}: question wording changed ({language})"),
    ChangeKind.HINT_CHANGED: gettext_noop("{code}: hint changed ({language})"),
    ChangeKind.CHOICE_ADDED: gettext_noop("{code}: option {choice} added"),
    ChangeKind.CHOICE_REMOVED: gettext_noop("{code}: option {choice} removed"),
    ChangeKind.CHOICE_RELABELLED: gettext_noop("{code}: option {choice} reworded ({language})"),
    ChangeKind.CHOICES_REORDERED: gettext_noop("{code}: options reordered"),
    ChangeKind.ROW_ADDED: gettext_noop("{code}: matrix row {choice} added"),
    ChangeKind.ROW_REMOVED: gettext_noop("{code}: matrix row {choice} removed"),
    ChangeKind.ROW_RELABELLED: gettext_noop("{code}: matrix row {choice} reworded ({language})"),
    ChangeKind.LOGIC_CHANGED: gettext_noop("{code}: {field} changed from '{old}' to '{new}'"),
    ChangeKind.REQUIRED_CHANGED: gettext_noop("{code}: required changed from {old} to {new}"),
    ChangeKind.SETTING_CHANGED: gettext_noop("{code}: {field} changed from {old} to {new}"),
}
#: Settings whose change alters what an answer means (see the module docstring).
_BREAKING_SETTINGS = frozenset({"unit", "min_choices", "max_choices", "other_choice"})
_SETTINGS = ("min_choices", "max_choices", "min_value", "max_value", "unit", "long",
             "max_length", "exclusive", "other_choice", "randomize", "group")  # fmt: skip
_LOGIC = ("relevance", "constraint", "choice_filter")


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    code: str
    breaks_comparability: bool
    field: str | None = None
    language: str | None = None
    choice: str | None = None
    old: Any = None
    new: Any = None

    @property
    def message(self) -> Message:
        params = {
            "code": self.code,
            "field": self.field,
            "language": self.language,
            "choice": self.choice,
            "old": _show(self.old),
            "new": _show(self.new),
        }
        return Message(_MESSAGES[self.kind], params)

    def __str__(self) -> str:
        return str(self.message)


def diff_instruments(old: Instrument, new: Instrument) -> list[Change]:
    """Changes from ``old`` to ``new``: removed items first, then by the new item order."""
    changes: list[Change] = []
    new_codes = {item.code for item in new.items}
    for item in old.items:
        if item.code not in new_codes:
            changes.append(Change(ChangeKind.ITEM_REMOVED, item.code, True, old=item.type.value))
    for item in new.items:
        before = old.item(item.code)
        if before is None:
            changes.append(Change(ChangeKind.ITEM_ADDED, item.code, False, new=item.type.value))
        else:
            changes.extend(_item_changes(old, before, new, item))
    return changes


def breaking_changes(old: Instrument, new: Instrument) -> list[Change]:
    return [change for change in diff_instruments(old, new) if change.breaks_comparability]


def _item_changes(old: Instrument, before: Item, new: Instrument, after: Item) -> Iterable[Change]:
    code = after.code
    if before.type is not after.type:
        yield Change(
            ChangeKind.TYPE_CHANGED, code, True, "type", old=before.type.value, new=after.type.value
        )
    yield from _text_changes(code, ChangeKind.WORDING_CHANGED, True, before.label, after.label)
    yield from _text_changes(
        code, ChangeKind.HINT_CHANGED, False, before.hint, after.hint, field="hint"
    )
    yield from _choice_changes(code, _choices(old, before), _choices(new, after))
    yield from _row_changes(code, before, after)
    for field in _LOGIC:
        if getattr(before, field) != getattr(after, field):
            yield Change(ChangeKind.LOGIC_CHANGED, code, False, field, old=getattr(before, field),
                         new=getattr(after, field))  # fmt: skip
    if before.required != after.required:
        yield Change(
            ChangeKind.REQUIRED_CHANGED,
            code,
            False,
            "required",
            old=before.required,
            new=after.required,
        )
    for field in _SETTINGS:
        was, now = getattr(before, field), getattr(after, field)
        if was != now:
            breaking = field in _BREAKING_SETTINGS
            yield Change(ChangeKind.SETTING_CHANGED, code, breaking, field, old=was, new=now)


def _text_changes(
    code: str, kind: ChangeKind, breaking: bool, old: Mapping[str, str], new: Mapping[str, str],
    choice: str | None = None, field: str = "label",
) -> Iterable[Change]:  # fmt: skip
    for language in sorted(set(old) | set(new)):
        was, now = old.get(language), new.get(language)
        if was != now:
            yield Change(kind, code, breaking, field, language, choice, was, now)


def _choices(instrument: Instrument, item: Item) -> tuple[Choice, ...]:
    choice_list = instrument.choice_list(item.choices)
    return choice_list.choices if choice_list else ()


def _choice_changes(
    code: str, old: tuple[Choice, ...], new: tuple[Choice, ...]
) -> Iterable[Change]:
    old_by_code = {choice.code: choice for choice in old}
    new_by_code = {choice.code: choice for choice in new}
    for choice in old:
        if choice.code not in new_by_code:
            yield Change(ChangeKind.CHOICE_REMOVED, code, True, "choices", choice=choice.code)
    for choice in new:
        previous = old_by_code.get(choice.code)
        if previous is None:
            yield Change(ChangeKind.CHOICE_ADDED, code, True, "choices", choice=choice.code)
        else:
            yield from _text_changes(
                code, ChangeKind.CHOICE_RELABELLED, True, previous.label, choice.label, choice.code
            )
    kept_old = [c.code for c in old if c.code in new_by_code]
    kept_new = [c.code for c in new if c.code in old_by_code]
    if kept_old != kept_new:
        yield Change(
            ChangeKind.CHOICES_REORDERED, code, False, "choices", old=kept_old, new=kept_new
        )


def _row_changes(code: str, before: Item, after: Item) -> Iterable[Change]:
    old_rows = {row.code: row for row in before.rows}
    new_rows = {row.code: row for row in after.rows}
    for row in before.rows:
        if row.code not in new_rows:
            yield Change(ChangeKind.ROW_REMOVED, code, True, "rows", choice=row.code)
    for row in after.rows:
        previous = old_rows.get(row.code)
        if previous is None:
            # A new row is a new measurement; the existing rows stay comparable.
            yield Change(ChangeKind.ROW_ADDED, code, False, "rows", choice=row.code)
        else:
            yield from _text_changes(
                code, ChangeKind.ROW_RELABELLED, True, previous.label, row.label, row.code
            )


def _show(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else value
