"""The questionnaire data model: frozen dataclasses, no behaviour beyond lookups.

An :class:`Instrument` is flat on purpose: ``items`` is the questionnaire in answering order
and every item names the group it sits in. Flat order makes the "logic may only look back"
rule a simple index comparison and gives every problem a short path such as
``items[12].relevance``. Groups (sections, pages) nest through ``Group.parent``; the items
of one group must be contiguous.

Texts that respondents read are :data:`Text` mappings from language code to string. They
are plain ``dict`` objects inside frozen dataclasses: treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

#: Text per language code, e.g. ``{"zh-hans": "性别", "en": "Sex"}``.
Text = Mapping[str, str]
#: Suffix of the free-text answer that goes with an "other, please specify" option.
OTHER_SUFFIX = "_other"
#: ``other_choice`` value that needs no entry in the choice list (XLSForm ``or_other``).
IMPLICIT_OTHER = "other"


class ItemType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    LIKERT = "likert"
    MATRIX = "matrix"
    INTEGER = "integer"
    DECIMAL = "decimal"
    TEXT = "text"
    RANKING = "ranking"
    YEAR = "year"
    DATE = "date"
    NOTE = "note"


#: Types whose answer is one or more codes from a choice list.
CHOICE_TYPES = frozenset(
    {ItemType.SINGLE, ItemType.MULTIPLE, ItemType.LIKERT, ItemType.MATRIX, ItemType.RANKING}
)
#: Types whose answer is a number.
NUMERIC_TYPES = frozenset({ItemType.INTEGER, ItemType.DECIMAL, ItemType.YEAR})
#: Types whose answer is a list of codes.
LIST_TYPES = frozenset({ItemType.MULTIPLE, ItemType.RANKING})


@dataclass(frozen=True)
class Choice:
    """One option of a choice list; ``attributes`` are extra columns used by choice filters."""

    code: str
    label: Text
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChoiceList:
    name: str
    choices: tuple[Choice, ...]

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(choice.code for choice in self.choices)

    def get(self, code: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.code == code), None)


@dataclass(frozen=True)
class MatrixRow:
    """One row of a matrix; ``code`` is a full answer code such as ``D5_r1``."""

    code: str
    label: Text


@dataclass(frozen=True)
class Group:
    """A section. ``page=True`` shows all its items on one screen (XLSForm ``field-list``)."""

    code: str
    label: Text = field(default_factory=dict)
    hint: Text = field(default_factory=dict)
    relevance: str | None = None
    page: bool = False
    parent: str | None = None


@dataclass(frozen=True)
class Item:
    """One question (or a display-only note).

    Which fields apply depends on ``type``; :mod:`instruments.schema.checks` rejects the
    others. ``choices`` names a :class:`ChoiceList` (the scale for likert and matrix).
    ``other_choice`` is the option that asks "please specify": choosing it requires the text
    answer ``<code>_other``. For ranking, ``max_choices`` is k in "rank your top k".
    """

    code: str
    type: ItemType
    label: Text
    hint: Text = field(default_factory=dict)
    group: str | None = None
    required: bool = False
    relevance: str | None = None
    constraint: str | None = None
    constraint_message: Text = field(default_factory=dict)
    choices: str | None = None
    choice_filter: str | None = None
    other_choice: str | None = None
    randomize: bool = False
    exclusive: tuple[str, ...] = ()
    min_choices: int | None = None
    max_choices: int | None = None
    min_value: int | float | None = None
    max_value: int | float | None = None
    unit: Text = field(default_factory=dict)
    long: bool = False
    max_length: int | None = None
    rows: tuple[MatrixRow, ...] = ()

    @property
    def other_code(self) -> str | None:
        return self.code + OTHER_SUFFIX if self.other_choice else None

    @cached_property
    def answer_codes(self) -> tuple[str, ...]:
        """Keys this item contributes to an answers document, in order (computed once:
        the validator asks for them on every item of every page save)."""
        if self.type is ItemType.NOTE:
            return ()
        own = tuple(row.code for row in self.rows) if self.type is ItemType.MATRIX else (self.code,)
        return own + ((self.other_code,) if self.other_code else ())


@dataclass(frozen=True)
class Page:
    """What one screen of the respondent form shows: a page group, or one lone item."""

    code: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: Text
    languages: tuple[str, ...]
    default_language: str
    groups: tuple[Group, ...] = ()
    items: tuple[Item, ...] = ()
    choice_lists: tuple[ChoiceList, ...] = ()

    # Lookups are cached: the validators call them once per item per answer.
    @cached_property
    def _items_by_code(self) -> dict[str, Item]:
        return {item.code: item for item in self.items}

    @cached_property
    def _groups_by_code(self) -> dict[str, Group]:
        return {group.code: group for group in self.groups}

    @cached_property
    def _lists_by_name(self) -> dict[str, ChoiceList]:
        return {choice_list.name: choice_list for choice_list in self.choice_lists}

    @cached_property
    def _answer_owner(self) -> dict[str, Item]:
        return {code: item for item in self.items for code in item.answer_codes}

    def item(self, code: str) -> Item | None:
        return self._items_by_code.get(code)

    def group(self, code: str) -> Group | None:
        return self._groups_by_code.get(code)

    def choice_list(self, name: str | None) -> ChoiceList | None:
        return self._lists_by_name.get(name) if name else None

    def owner_of(self, answer_code: str) -> Item | None:
        """The item that produces the answer ``answer_code`` (a row or ``_other`` too)."""
        return self._answer_owner.get(answer_code)

    def answer_codes(self) -> tuple[str, ...]:
        """Every key an answers document may hold, in questionnaire order."""
        return tuple(self._answer_owner)

    def ancestors(self, group_code: str | None) -> list[Group]:
        """The group ``group_code`` and its parents, innermost first (stops on a cycle)."""
        found = self._ancestors.get(group_code)
        if found is None:
            found = self._ancestors[group_code] = tuple(self._ancestor_chain(group_code))
        return list(found)

    @cached_property
    def _ancestors(self) -> dict[str | None, tuple[Group, ...]]:
        # Filled as asked; the skip logic walks each item's chain on every page save.
        return {}

    def _ancestor_chain(self, group_code: str | None) -> list[Group]:
        chain: list[Group] = []
        seen: set[str] = set()
        while group_code and group_code not in seen:
            seen.add(group_code)
            group = self.group(group_code)
            if group is None:
                break
            chain.append(group)
            group_code = group.parent
        return chain

    def choice_options(self, item: Item) -> tuple[str, ...]:
        """The codes a respondent may choose for ``item``, with an implicit "other" last."""
        choice_list = self.choice_list(item.choices)
        codes = choice_list.codes if choice_list else ()
        if item.other_choice and item.other_choice not in codes:
            codes = (*codes, item.other_choice)
        return codes

    def pages(self) -> list[Page]:
        """Screens in order: each outermost page group, and each item outside any page."""
        return list(self._pages)

    @cached_property
    def _pages(self) -> tuple[Page, ...]:
        # Computed once: a respondent's page save asks for the pages several times.
        pages: list[Page] = []
        for item in self.items:
            page_group = next((g for g in reversed(self.ancestors(item.group)) if g.page), None)
            code = page_group.code if page_group else item.code
            if pages and pages[-1].code == code:
                pages[-1] = Page(code, (*pages[-1].items, item))
            else:
                pages.append(Page(code, (item,)))
        return tuple(pages)

    # Serialisation lives in .serialize (which imports this module, hence the late imports).
    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON-serialisable form (fixed key order, defaults omitted)."""
        from .serialize import to_dict

        return to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Instrument:
        """Build from a stored definition; raises InvalidDefinition if it cannot be built.

        Use ``load_definition`` for untrusted input: it also runs every consistency check.
        """
        from .serialize import from_dict

        return from_dict(data)

    def checksum(self) -> str:
        """sha256 (hex) of the canonical JSON."""
        from .serialize import checksum

        return checksum(self)
