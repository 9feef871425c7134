"""The codebook of an analysis dataset: what every column is, built from an instrument.

One :class:`Variable` per column. Items map to columns as follows (``kind``):

* single choice, likert, each matrix row -> ``categorical`` (integer codes into the
  choice list, in choice order; -1 = missing); a matrix row's column is its answer code
  (``D2_r1``);
* multiple choice -> ``multi``: one 0/1 column per option, ``<item>__<option>``
  (-1 = item not answered);
* ranking -> ``categorical`` columns ``<item>__rank1`` ... ``<item>__rank<k>``: the option
  placed at each position (k = ``max_choices``, else the number of options);
* integer, decimal, year -> ``numeric`` (float64, NaN = missing);
* text and every ``<item>_other`` specification -> ``text``; date -> ``date``;
* notes produce no column.

Besides the items the codebook lists the design columns (``station``, ``stratum``,
``weight``; role ``design``) and the domain columns (``sector``, ``region``, ``title``,
``age_group``, ``sex``; role ``domain``). Labels are kept in every language of the
instrument; ``Codebook.language`` is the one shown by default.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from typing import Any, TypedDict

from instruments.messages import gettext_noop
from instruments.schema import Instrument, Item, ItemType

from .errors import AnalysisError

Labels = Mapping[str, str]

MULTI_SEPARATOR = "__"
RANK_PREFIX = "rank"
#: The standard breakdowns of every wave table, in display order.
STANDARD_DOMAINS: tuple[str, ...] = ("sector", "region", "title", "age_group", "sex")
DESIGN_COLUMNS: tuple[str, ...] = ("station", "stratum", "weight")

_OTHER_LABEL = {"zh-hans": "其他", "en": "Other"}

#: Names of the design and domain columns, and the fixed levels of the demographic
#: domains (the codes of ``PopulationMargin`` levels in the network app).
DOMAIN_LABELS: dict[str, dict[str, str]] = {
    "station": {"zh-hans": "调查站点", "en": "Survey station"},
    "stratum": {"zh-hans": "层", "en": "Stratum"},
    "weight": {"zh-hans": "权重", "en": "Weight"},
    "sector": {"zh-hans": "行业", "en": "Sector"},
    "region": {"zh-hans": "地区", "en": "Region"},
    "title": {"zh-hans": "职称", "en": "Professional title"},
    "age_group": {"zh-hans": "年龄组", "en": "Age group"},
    "sex": {"zh-hans": "性别", "en": "Sex"},
}
FIXED_LEVELS: dict[str, tuple[tuple[str, dict[str, str]], ...]] = {
    "sex": (("M", {"zh-hans": "男", "en": "Male"}), ("F", {"zh-hans": "女", "en": "Female"})),
    "age_group": (
        ("lt35", {"zh-hans": "35岁以下", "en": "Under 35"}),
        ("35-44", {"zh-hans": "35–44岁", "en": "35–44"}),
        ("45-54", {"zh-hans": "45–54岁", "en": "45–54"}),
        ("55plus", {"zh-hans": "55岁及以上", "en": "55 and over"}),
    ),
    "title": (
        ("senior", {"zh-hans": "正高级", "en": "Full senior"}),
        ("associate", {"zh-hans": "副高级", "en": "Associate senior"}),
        ("intermediate", {"zh-hans": "中级", "en": "Intermediate"}),
        ("junior", {"zh-hans": "初级", "en": "Junior"}),
        ("none", {"zh-hans": "无职称", "en": "None"}),
    ),
}


class Kind(StrEnum):
    CATEGORICAL = "categorical"
    MULTI = "multi"
    NUMERIC = "numeric"
    TEXT = "text"
    DATE = "date"


class Role(StrEnum):
    ITEM = "item"
    DESIGN = "design"
    DOMAIN = "domain"


def _pick(labels: Labels, language: str) -> str:
    if language in labels:
        return labels[language]
    return next(iter(labels.values()), "")


@dataclass(frozen=True)
class Level:
    code: str
    labels: Labels = field(default_factory=dict)

    def label(self, language: str) -> str:
        return _pick(self.labels, language) or self.code


@dataclass(frozen=True)
class Variable:
    """One column. ``question`` is the label of the item it came from (for a matrix row or
    a multiple-choice option ``labels`` is the row's or option's own label); ``option`` is
    the option of a ``multi`` column and ``rank`` the position of a ranking column."""

    code: str
    kind: Kind
    labels: Labels
    levels: tuple[Level, ...] = ()
    role: Role = Role.ITEM
    item: str | None = None
    item_type: str | None = None
    question: Labels = field(default_factory=dict)
    section: str | None = None
    group: str | None = None
    option: str | None = None
    rank: int | None = None

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(lv.code for lv in self.levels)

    @property
    def closed(self) -> bool:
        """Summarised in a wave table: categorical, multi or numeric item columns."""
        return self.role is Role.ITEM and self.kind in (Kind.CATEGORICAL, Kind.MULTI, Kind.NUMERIC)

    def label(self, language: str) -> str:
        return _pick(self.labels, language) or self.code

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "kind": str(self.kind), "labels": self.labels}
        if self.levels:
            out["levels"] = [[lv.code, dict(lv.labels)] for lv in self.levels]
        for key in ("role", "item", "item_type", "section", "group", "option", "rank"):
            value = getattr(self, key)
            if value is not None and not (key == "role" and value is Role.ITEM):
                out[key] = str(value) if key == "role" else value
        if self.question:
            out["question"] = dict(self.question)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Variable:
        return cls(
            code=data["code"],
            kind=Kind(data["kind"]),
            labels=dict(data.get("labels", {})),
            levels=tuple(Level(c, dict(lab)) for c, lab in data.get("levels", ())),
            role=Role(data.get("role", "item")),
            item=data.get("item"),
            item_type=data.get("item_type"),
            question=dict(data.get("question", {})),
            section=data.get("section"),
            group=data.get("group"),
            option=data.get("option"),
            rank=data.get("rank"),
        )


@dataclass(frozen=True, eq=False)
class Codebook:
    variables: tuple[Variable, ...]
    language: str
    instrument_id: str = ""
    instrument_version: str = ""
    instrument_checksum: str = ""

    @cached_property
    def _by_code(self) -> dict[str, Variable]:
        return {v.code: v for v in self.variables}

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Variable]:
        return iter(self.variables)

    def __len__(self) -> int:
        return len(self.variables)

    def __getitem__(self, code: str) -> Variable:
        try:
            return self._by_code[code]
        except KeyError:
            raise AnalysisError(
                gettext_noop("Unknown variable {variable}."), variable=code
            ) from None

    def get(self, code: str) -> Variable | None:
        return self._by_code.get(code)

    def items(self) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.role is Role.ITEM)

    def closed(self) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.closed)

    def of_item(self, item: str) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.item == item)

    def with_variables(self, extra: tuple[Variable, ...]) -> Codebook:
        """A copy with ``extra`` added (a variable of the same code is replaced)."""
        codes = {v.code for v in extra}
        kept = tuple(v for v in self.variables if v.code not in codes)
        return replace(self, variables=kept + extra)

    def to_json(self) -> str:
        return json.dumps(
            {
                "language": self.language,
                "instrument": [self.instrument_id, self.instrument_version],
                "checksum": self.instrument_checksum,
                "variables": [v.to_dict() for v in self.variables],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Codebook:
        data = json.loads(text)
        ident, version = data.get("instrument", ["", ""])
        return cls(
            variables=tuple(Variable.from_dict(v) for v in data["variables"]),
            language=data["language"],
            instrument_id=ident,
            instrument_version=version,
            instrument_checksum=data.get("checksum", ""),
        )


def codebook_from_instrument(instrument: Instrument, language: str | None = None) -> Codebook:
    """The item columns of ``instrument`` (design and domain columns are added by the
    dataset builder, which knows their levels)."""
    lang = language or instrument.default_language
    if lang not in instrument.languages:
        raise AnalysisError(
            gettext_noop("The instrument has no language {language}."), language=lang
        )
    out: list[Variable] = []
    for item in instrument.items:
        out.extend(_item_variables(instrument, item))
    return Codebook(tuple(out), lang, instrument.id, instrument.version, instrument.checksum())


class _ItemFields(TypedDict):
    """The fields every variable of one item shares."""

    item: str
    item_type: str
    question: Labels
    section: str | None
    group: str | None


def _item_variables(instrument: Instrument, item: Item) -> list[Variable]:
    chain = instrument.ancestors(item.group)
    base: _ItemFields = {
        "item": item.code,
        "item_type": str(item.type),
        "question": dict(item.label),
        "section": chain[-1].code if chain else None,
        "group": item.group,
    }
    levels = _levels(instrument, item)
    kind = item.type
    out: list[Variable] = []
    if kind in (ItemType.SINGLE, ItemType.LIKERT):
        out.append(Variable(item.code, Kind.CATEGORICAL, dict(item.label), levels, **base))
    elif kind is ItemType.MATRIX:
        for row in item.rows:
            out.append(Variable(row.code, Kind.CATEGORICAL, dict(row.label), levels, **base))
    elif kind is ItemType.MULTIPLE:
        for lv in levels:
            code = f"{item.code}{MULTI_SEPARATOR}{lv.code}"
            out.append(Variable(code, Kind.MULTI, dict(lv.labels), option=lv.code, **base))
    elif kind is ItemType.RANKING:
        positions = item.max_choices or len(levels)
        for k in range(1, positions + 1):
            code = f"{item.code}{MULTI_SEPARATOR}{RANK_PREFIX}{k}"
            lab = {lang: f"{text} ({k})" for lang, text in item.label.items()}
            out.append(Variable(code, Kind.CATEGORICAL, lab, levels, rank=k, **base))
    elif kind in (ItemType.INTEGER, ItemType.DECIMAL, ItemType.YEAR):
        out.append(Variable(item.code, Kind.NUMERIC, dict(item.label), **base))
    elif kind is ItemType.TEXT:
        out.append(Variable(item.code, Kind.TEXT, dict(item.label), **base))
    elif kind is ItemType.DATE:
        out.append(Variable(item.code, Kind.DATE, dict(item.label), **base))
    if item.other_code:
        out.append(Variable(item.other_code, Kind.TEXT, dict(item.label), **base))
    return out


def _levels(instrument: Instrument, item: Item) -> tuple[Level, ...]:
    if item.type not in (
        ItemType.SINGLE,
        ItemType.LIKERT,
        ItemType.MATRIX,
        ItemType.MULTIPLE,
        ItemType.RANKING,
    ):
        return ()
    choice_list = instrument.choice_list(item.choices)
    out = []
    for code in instrument.choice_options(item):
        choice = choice_list.get(code) if choice_list else None
        out.append(Level(code, dict(choice.label) if choice else dict(_OTHER_LABEL)))
    return tuple(out)


def domain_variable(
    name: str, levels: tuple[str, ...], labels: Mapping[str, Labels] | None = None
) -> Variable:
    """A design or domain column's entry; ``labels`` maps level code -> labels."""
    fixed = dict(FIXED_LEVELS.get(name, ()))
    given = labels or {}
    lv = tuple(Level(c, dict(given.get(c) or fixed.get(c) or {})) for c in levels)
    role = Role.DESIGN if name in DESIGN_COLUMNS else Role.DOMAIN
    kind = Kind.NUMERIC if name == "weight" else Kind.CATEGORICAL
    return Variable(name, kind, DOMAIN_LABELS.get(name, {"en": name}), lv, role=role)
