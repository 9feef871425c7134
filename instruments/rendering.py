"""What a respondent sees, as plain data: pages of items with texts in one language.

The same view model feeds the office preview and the respondent form, so the preview is
exactly what respondents get. Pure Python: templates turn it into HTML, and the browser
evaluates the ``relevance`` and ``constraint`` strings live with logic.js.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from instruments.schema import Instrument, Item, ItemType, Text
from instruments.text import text_limit, without_invalid_text


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    exclusive: bool = False
    is_other: bool = False
    selected: bool = False


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    value: str = ""


@dataclass(frozen=True)
class ItemView:
    code: str
    type: str
    label: str
    hint: str
    required: bool
    relevance: str
    constraint: str
    constraint_message: str
    options: list[Option] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    min_choices: int | None = None
    max_choices: int | None = None
    min_value: int | float | None = None
    max_value: int | float | None = None
    unit: str = ""
    long: bool = False
    max_length: int | None = None
    other_code: str = ""
    other_choice: str = ""
    choice_filter: bool = False
    #: The saved answer, for resuming: text for scalar items, codes in order for lists.
    value: str = ""
    values: list[str] = field(default_factory=list)
    other_value: str = ""

    @property
    def rank_slots(self) -> list[tuple[int, str]]:
        """(rank, code already chosen for that rank) for each of the top-k slots."""
        count = self.max_choices or len(self.options)
        chosen = [*self.values, *[""] * count]
        return [(rank, chosen[rank - 1]) for rank in range(1, count + 1)]

    @property
    def step(self) -> str:
        return "any" if self.type == ItemType.DECIMAL else "1"


@dataclass(frozen=True)
class PageView:
    code: str
    number: int
    title: str
    hint: str
    relevance: str
    items: list[ItemView]


def pick(text: Text, language: str, fallback: str) -> str:
    """Text in ``language``, else in the questionnaire's default language."""
    return text.get(language) or text.get(fallback) or ""


@dataclass(frozen=True)
class Context:
    language: str
    rng: random.Random | None
    #: Label of an implicit "other" option (XLSForm or_other), in the page language.
    other_label: str
    answers: Mapping[str, Any]


def _options(instrument: Instrument, item: Item, ctx: Context) -> list[Option]:
    choice_list = instrument.choice_list(item.choices)
    language, rng = ctx.language, ctx.rng
    chosen = _as_list(ctx.answers.get(item.code))
    options = []
    for code in instrument.choice_options(item):
        choice = choice_list.get(code) if choice_list else None
        label = pick(choice.label, language, instrument.default_language) if choice else ""
        options.append(
            Option(
                code=code,
                label=label or ctx.other_label,
                exclusive=code in item.exclusive,
                is_other=code == item.other_choice,
                selected=code in chosen,
            )
        )
    if item.randomize and rng is not None:
        # Shuffle the ordinary options only: "other" and exclusive answers such as 「无」
        # stay at the end where respondents expect them.
        fixed = [o for o in options if o.is_other or o.exclusive]
        movable = [o for o in options if not (o.is_other or o.exclusive)]
        rng.shuffle(movable)
        options = movable + fixed
    return options


def item_view(instrument: Instrument, item: Item, ctx: Context) -> ItemView:
    default, language = instrument.default_language, ctx.language
    answer = ctx.answers.get(item.code)
    return ItemView(
        code=item.code,
        type=str(item.type),
        label=pick(item.label, language, default),
        hint=pick(item.hint, language, default),
        required=item.required,
        relevance=item.relevance or "",
        constraint=item.constraint or "",
        constraint_message=pick(item.constraint_message, language, default),
        options=_options(instrument, item, ctx) if item.choices or item.other_choice else [],
        rows=[
            Row(r.code, pick(r.label, language, default), _as_text(ctx.answers.get(r.code)))
            for r in item.rows
        ],
        min_choices=item.min_choices,
        max_choices=item.max_choices,
        min_value=item.min_value,
        max_value=item.max_value,
        unit=pick(item.unit, language, default),
        long=item.long,
        # The limit the server enforces (instruments.validation), so the browser stops there.
        max_length=text_limit(item.long, item.max_length) if item.type is ItemType.TEXT else None,
        other_code=item.other_code or "",
        other_choice=item.other_choice or "",
        choice_filter=bool(item.choice_filter),
        value=_as_text(answer),
        values=_as_list(answer),
        other_value=_as_text(ctx.answers.get(item.other_code)) if item.other_code else "",
    )


def _as_text(value: Any) -> str:
    if value is None or isinstance(value, (list, tuple)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, str) and value:
        return value.split()
    return []


def render_pages(
    instrument: Instrument,
    language: str,
    seed: int | None = None,
    other_label: str = "Other (please specify)",
    answers: Mapping[str, Any] | None = None,
) -> list[PageView]:
    """Screens in order. ``seed`` fixes the shuffled option order (one per respondent);
    ``answers`` pre-fills a resumed form."""
    if language not in instrument.languages:
        language = instrument.default_language
    rng = random.Random(seed) if seed is not None else None
    # Stored answers that are not valid text (saved before the checks existed, or planted)
    # are left out: the page must render, and the respondent answers those questions again.
    ctx = Context(language, rng, other_label, without_invalid_text(answers or {}))
    pages = []
    for number, page in enumerate(instrument.pages(), start=1):
        page_group = instrument.group(page.code)
        anchor = page_group.code if page_group else page.items[0].group
        chain = instrument.ancestors(anchor)
        titled = next((g for g in chain if g.label), None)
        default = instrument.default_language
        items = []
        for item in page.items:
            view = item_view(instrument, item, ctx)
            # Groups nested inside the page (e.g. funding questions shown only to project
            # holders) hide their items one by one, so their conditions join the item's.
            inner = [g for g in instrument.ancestors(item.group) if g not in chain]
            conditions = [g.relevance for g in reversed(inner) if g.relevance]
            if item.relevance:
                conditions.append(item.relevance)
            items.append(replace(view, relevance=_all_of(conditions)))
        pages.append(
            PageView(
                code=page.code,
                number=number,
                title=pick(titled.label, language, default) if titled else "",
                hint=pick(titled.hint, language, default) if titled else "",
                relevance=_all_of([g.relevance for g in reversed(chain) if g.relevance]),
                items=items,
            )
        )
    return pages


def _all_of(conditions: list[str]) -> str:
    if len(conditions) <= 1:
        return conditions[0] if conditions else ""
    return " and ".join(f"({c})" for c in conditions)
