"""The one column definition every export of a wave shares (pure Python, no Django).

``export_table(dataset, row_ids, options)`` turns an analysis :class:`~analysis.Dataset`
into an :class:`ExportTable`: an ordered tuple of :class:`ExportColumn` with a valid
SPSS/Stata name (:mod:`.names`), a variable label in the chosen language, numeric values
and value labels. CSV, XLSX, SPSS, Stata and the codebook are all written from it, so
they cannot disagree about a name, a value or a label.

Columns, in this order: ``response_id`` (an opaque per-wave id made by the caller, never
an answer code, a name, an e-mail or an address), the design columns (station, stratum,
weight), the domain columns (sector, region, title, age group, sex), then the items in
questionnaire order. Rows are ordered by station, then by ``response_id`` (not by the
database id: the order reveals nothing about when anyone answered).

Values. A categorical column (single choice, likert, a matrix row, a ranking position, a
design or domain column) is numeric: the choice code itself when every code of the list
is a plain integer (``"1"`` -> 1, a region's division code), otherwise the position in
the list, from 1; the value labels and the codebook give the meaning. A multiple-choice
item is one 0/1 column per option (``J1__G01``: 1 = chosen), missing when the item was
not answered. Numbers stay numbers, dates dates; missing is NaN (system missing).

Open answers depend on the audience (privacy, DESIGN §7):

* ``office``: open answers and "other, please specify" texts are exported **scrubbed**
  (:func:`analysis.text.scrub.scrub`, with the stations' and host institutions' names
  as units): names, phone numbers, e-mails, ID numbers, accounts and unit names become
  placeholders.
* ``station``: the station's own staff know the respondents, so no open text at all and
  no exact year or date (a birth year identifies a colleague; the age group stays).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from analysis.codebook import Kind, Role, Variable
from analysis.dataset import Dataset
from analysis.text.normalize import to_halfwidth
from analysis.text.scrub import PLACEHOLDERS, scrub
from instruments.messages import gettext_noop

from .names import variable_names

Audience = Literal["office", "station"]
ColumnKind = Literal["numeric", "string", "date"]
Translate = Callable[[str], str]

RESPONSE_ID = "response_id"
#: Label separator between a question and its row, option or position.
SEPARATOR = " — "
_INTEGER_CODE = re.compile(r"-?[1-9]\d{0,8}|0")
_ORDINAL_TYPES = frozenset(("likert", "matrix"))
_ORDINAL_DOMAINS = frozenset(("title", "age_group"))


def _identity(text: str) -> str:
    return text


@dataclass(frozen=True)
class ExportOptions:
    language: str = "zh-hans"
    audience: Audience = "office"
    #: Station and institution names the scrubber masks in open answers.
    scrub_units: tuple[str, ...] = ()
    #: Keep only these rows (indices into the dataset), e.g. one station's.
    rows: np.ndarray | None = None
    translate: Translate = _identity
    #: The file label of the SPSS and Stata files.
    title: str = ""


@dataclass(frozen=True, eq=False)
class ExportColumn:
    """One exported variable. ``label_parts`` is (question, detail): a label too long
    for a format is shortened in the question, never in the detail (the option)."""

    name: str
    source: str
    kind: ColumnKind
    values: np.ndarray | list[str]
    label_parts: tuple[str, str]
    value_labels: Mapping[int, str] = field(default_factory=dict)
    codes: Mapping[int, str] = field(default_factory=dict)
    measure: Literal["nominal", "ordinal", "scale"] = "nominal"
    variable: Variable | None = None
    note: str = ""

    @property
    def label(self) -> str:
        head, tail = self.label_parts
        return f"{head}{SEPARATOR}{tail}" if head and tail else head or tail

    def label_within(self, limit: int, *, in_bytes: bool = False) -> str:
        """The label cut to ``limit`` characters (or UTF-8 bytes): the question part is
        shortened first, with an ellipsis."""
        size = (lambda s: len(s.encode("utf-8"))) if in_bytes else len
        full = self.label
        if size(full) <= limit:
            return full
        head, tail = self.label_parts
        if head and tail:
            rest = limit - size(SEPARATOR + tail) - size("…")
            if rest > 0:
                return f"{_cut(head, rest, size)}…{SEPARATOR}{tail}"
            full = tail  # the option alone says more than the start of the question
            if size(full) <= limit:
                return full
        return _cut(full, limit - size("…"), size) + "…"


def _cut(text: str, limit: int, size: Callable[[str], int]) -> str:
    out = text
    while out and size(out) > limit:
        out = out[: max(0, min(len(out) - 1, limit))]
    return out


@dataclass(frozen=True, eq=False)
class ExportTable:
    columns: tuple[ExportColumn, ...]
    n: int
    language: str
    audience: Audience
    title: str = ""
    translate: Translate = _identity

    def __iter__(self) -> Iterator[ExportColumn]:
        return iter(self.columns)

    def column(self, name: str) -> ExportColumn:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def opaque_ids(key: bytes, pks: Sequence[int] | np.ndarray) -> np.ndarray:
    """16 hex digits per database id: HMAC-SHA256 under ``key``, so a file shows neither
    the ids nor the order in which respondents started; stable for the same key."""
    base = hmac.new(key, digestmod=hashlib.sha256)
    out = []
    for pk in np.asarray(pks, dtype=np.int64).tolist():
        h = base.copy()
        h.update(str(pk).encode())
        out.append(h.hexdigest()[:16])
    return np.array(out, dtype="<U16")


def level_values(codes: Sequence[str]) -> list[int]:
    """The number each level is exported as: the code itself when all codes are plain
    integers (no leading zeros, distinct), else the position from 1."""
    if codes and all(_INTEGER_CODE.fullmatch(c) for c in codes):
        ints = [int(c) for c in codes]
        if len(set(ints)) == len(ints):
            return ints
    return list(range(1, len(codes) + 1))


def export_variables(ds: Dataset, audience: Audience) -> list[Variable]:
    """The dataset's variables that the audience receives, in export order."""
    design = [v for v in ds.codebook if v.role is Role.DESIGN]
    domain = [v for v in ds.codebook if v.role is Role.DOMAIN]
    items = [v for v in ds.codebook if v.role is Role.ITEM]
    out = []
    for var in (*design, *domain, *items):
        if var.code not in ds.columns and var.code not in ds.texts:
            continue
        if audience == "station" and withheld_from_stations(var):
            continue
        out.append(var)
    return out


def withheld_from_stations(var: Variable) -> bool:
    """Open texts, exact years and dates never go to station staff (see module docs)."""
    return var.kind in (Kind.TEXT, Kind.DATE) or var.item_type == "year"


def row_order(ds: Dataset, row_ids: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    """Indices of the exported rows: the kept ones, by station, then response id."""
    keep = np.arange(ds.n) if rows is None else np.asarray(rows, dtype=np.int64)
    station = np.asarray(ds.columns["station"])[keep]
    return keep[np.lexsort((np.asarray(row_ids)[keep], station))]


def export_table(
    ds: Dataset, row_ids: Sequence[str] | np.ndarray, options: ExportOptions
) -> ExportTable:
    """The export of ``ds`` (see the module docs); ``row_ids`` gives each row's id."""
    ids = np.asarray(row_ids, dtype=str)
    if ids.shape != (ds.n,):
        raise ValueError(f"{ids.size} row ids for {ds.n} rows")
    order = row_order(ds, ids, options.rows)
    variables = export_variables(ds, options.audience)
    names = variable_names([RESPONSE_ID, *(v.code for v in variables)])
    tr = options.translate
    columns = [
        ExportColumn(
            names[RESPONSE_ID],
            RESPONSE_ID,
            "string",
            ids[order].tolist(),
            (tr(gettext_noop("Response id (anonymous)")), ""),
        )
    ]
    present = _present_levels(ds, order) if options.audience == "station" else None
    cache: dict[str, str] = {}
    units = UnitMasker(options.scrub_units)
    for var in variables:
        columns.append(_column(ds, var, names[var.code], order, options, units, cache, present))
    return ExportTable(
        tuple(columns),
        int(order.size),
        options.language,
        options.audience,
        options.title,
        options.translate,
    )


def _present_levels(ds: Dataset, order: np.ndarray) -> dict[str, set[int]]:
    """Station staff get labels only for the stations (and their sector and region)
    their rows belong to, not the whole network's list."""
    out = {}
    for name in ("station", "stratum", "sector", "region"):
        if name in ds.columns:
            out[name] = set(np.unique(np.asarray(ds.columns[name])[order]).tolist())
    return out


def _column(
    ds: Dataset,
    var: Variable,
    name: str,
    order: np.ndarray,
    options: ExportOptions,
    units: UnitMasker,
    cache: dict[str, str],
    present: dict[str, set[int]] | None,
) -> ExportColumn:
    lang, tr = options.language, options.translate
    parts = _label_parts(var, lang, tr)
    if var.kind is Kind.TEXT:
        texts = ds.text(var.code).take(order)
        strings = [_scrubbed(t, units, cache) for t in texts]
        note = tr(gettext_noop("Open answer, scrubbed of personal data."))
        return ExportColumn(name, var.code, "string", strings, parts, variable=var, note=note)
    col = np.asarray(ds.columns[var.code])
    if var.kind is Kind.DATE:
        return ExportColumn(name, var.code, "date", col[order], parts, variable=var)
    if var.kind is Kind.NUMERIC:
        values = np.asarray(col[order], dtype=np.float64)
        return ExportColumn(name, var.code, "numeric", values, parts, measure="scale", variable=var)
    if var.kind is Kind.MULTI:
        sub = col[order]
        values = np.where(sub < 0, np.nan, sub.astype(np.float64))
        labels = {0: tr(gettext_noop("Not selected")), 1: tr(gettext_noop("Selected"))}
        return ExportColumn(
            name, var.code, "numeric", values, parts, labels, {0: "0", 1: "1"}, variable=var
        )
    numbers = level_values(var.level_codes)
    lookup = np.array([*numbers, np.nan], dtype=np.float64)
    values = lookup[col[order].astype(np.int64)]  # code -1 -> the trailing NaN
    keep = present.get(var.code) if present is not None else None
    labels = {
        numbers[i]: lv.label(lang) for i, lv in enumerate(var.levels) if keep is None or i in keep
    }
    codes = {numbers[i]: lv.code for i, lv in enumerate(var.levels) if keep is None or i in keep}
    measure: Literal["ordinal", "nominal"] = "ordinal" if _ordinal(var) else "nominal"
    return ExportColumn(name, var.code, "numeric", values, parts, labels, codes, measure, var)


def _ordinal(var: Variable) -> bool:
    if var.role is Role.ITEM:
        return var.item_type in _ORDINAL_TYPES
    return var.code in _ORDINAL_DOMAINS


def _label_parts(var: Variable, lang: str, tr: Translate) -> tuple[str, str]:
    own = var.label(lang)
    question = _pick(var.question, lang)
    if var.role is not Role.ITEM or not question:
        return own, ""
    if var.kind is Kind.MULTI or var.item_type == "matrix":
        return question, own
    if var.rank is not None:
        return question, tr(gettext_noop("rank {k}")).format(k=var.rank)
    if var.kind is Kind.TEXT and var.code != var.item:
        return question, tr(gettext_noop("other, please specify"))
    return question, ""


def _pick(labels: Mapping[str, str], lang: str) -> str:
    return labels.get(lang) or next(iter(labels.values()), "")


def _scrubbed(text: str | None, units: UnitMasker, cache: dict[str, str]) -> str:
    """The scrubbed text ("" when missing); repeated answers are scrubbed once."""
    if text is None:
        return ""
    out = cache.get(text)
    if out is None:
        out = cache[text] = scrub(units(text), ()).text
    return out


class UnitMasker:
    """Masks the given unit names (stations, host institutions) in a text, as
    ``scrub(text, units)`` does, but in time independent of how many units there are:
    ``scrub`` runs one regular expression per unit on every text (a network of 500
    stations means 1,000 searches per answer, and more patterns than ``re`` caches).
    Here all names form one trie-shaped expression (the longest name wins, a run of
    adjacent names is one placeholder), matched without regard to case after half-width
    mapping. The rest of the scrubber then runs on the masked text."""

    _FULL_WIDTH = re.compile("[\uff01-\uff5e]")

    def __init__(self, units: Iterable[str]) -> None:
        names = {to_halfwidth(u).strip() for u in units if u and u.strip()}
        body = _trie(names)
        self._pattern = re.compile(f"(?:{body})+", re.IGNORECASE) if body else None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        if self._FULL_WIDTH.search(text):
            text = to_halfwidth(text)
        return self._pattern.sub(PLACEHOLDERS["unit"], text)


def _trie(names: Iterable[str]) -> str:
    """A regular expression matching any of ``names``, longest first at each position."""
    root: dict[str, dict[str, Any]] = {}
    for name in names:
        node = root
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}  # a name ends here

    def build(node: dict[str, dict[str, Any]]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)
