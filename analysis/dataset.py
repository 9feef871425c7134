"""The columnar analysis dataset of a wave: numpy arrays per variable plus a codebook.

Built once from the stored answers (``dataset_from_answers``) and cached as one ``.npz``
file (``save_dataset``/``load_dataset``, no pickle). Categorical and multi columns hold
small integer codes (-1 = missing), numeric ones float64 (NaN = missing), dates
``datetime64[D]`` (NaT), texts a :class:`TextColumn`. The design columns are ``station``
(the PSU), ``stratum`` and ``weight``; the domain columns ``sector``, ``region``,
``title``, ``age_group`` and ``sex`` are categorical.

``meta`` gives per-row arrays: ``station`` (required), ``stratum`` and ``weight``
(default 1), and any domain column (other keys become extra categorical columns).
Domains it does not give are derived from the standard items when the instrument has
them: ``sex`` from A1, ``title`` from A4, ``region`` from A8 (its "other" code 999999 is
no region), ``age_group`` from the birth year A2 and ``reference_year``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import numpy as np

from instruments.messages import gettext_noop
from instruments.schema import Instrument

from ._arrays import Factor, FloatArray, as_factor
from ._extract import TextColumn, code_dtype, column_builders, transpose
from ._store import load_dataset, read_fingerprint, save_dataset
from .codebook import (
    FIXED_LEVELS,
    STANDARD_DOMAINS,
    Codebook,
    Kind,
    Labels,
    Role,
    Variable,
    codebook_from_instrument,
    domain_variable,
)
from .design import Design, LonelyPSU
from .errors import AnalysisError, DesignError, length_mismatch

__all__ = [
    "Dataset",
    "TextColumn",
    "check_weights",
    "dataset_from_answers",
    "load_dataset",
    "read_fingerprint",
    "save_dataset",
]

#: Item code -> (domain, {choice code: domain level}) for the standard questionnaire.
_DERIVED = {
    "sex": ("A1", {"1": "M", "2": "F"}),
    "title": (
        "A4",
        {"1": "senior", "2": "associate", "3": "intermediate", "4": "junior", "5": "none"},
    ),
}
_AGE_BREAKS = (35, 45, 55)


@dataclass(frozen=True, eq=False)
class Dataset:
    codebook: Codebook
    columns: Mapping[str, np.ndarray]
    texts: Mapping[str, TextColumn] = field(default_factory=dict)
    fingerprint: str = ""
    invalid: Mapping[str, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.columns["weight"].shape[0])

    def __len__(self) -> int:
        return self.n

    def __contains__(self, code: object) -> bool:
        return code in self.columns or code in self.texts

    def __getitem__(self, code: str) -> np.ndarray:
        if code in self.columns:
            return self.columns[code]
        raise AnalysisError(gettext_noop("Unknown variable {variable}."), variable=code)

    def factor(self, code: str) -> Factor:
        """A categorical (or 0/1 multi) column as a :class:`Factor` with its level codes."""
        var = self.codebook[code]
        if var.kind is Kind.MULTI:
            return Factor(self[code].astype(np.int64), ("0", "1"))
        if var.kind is not Kind.CATEGORICAL:
            raise AnalysisError(gettext_noop("{variable} is not categorical."), variable=code)
        return Factor(self[code].astype(np.int64), var.level_codes)

    def numeric(self, code: str) -> FloatArray:
        """A numeric column; a multi column as 0/1 with NaN where the item is unanswered."""
        var = self.codebook[code]
        col = self[code]
        if var.kind is Kind.NUMERIC:
            return col
        if var.kind is Kind.MULTI:
            return np.where(col < 0, np.nan, col.astype(np.float64))
        raise AnalysisError(gettext_noop("{variable} is not numeric."), variable=code)

    def text(self, code: str) -> TextColumn:
        if code not in self.texts:
            raise AnalysisError(gettext_noop("{variable} is not a text column."), variable=code)
        return self.texts[code]

    @property
    def weights(self) -> FloatArray:
        return self.columns["weight"]

    def domains(self) -> tuple[str, ...]:
        """The domain columns present, in the standard order."""
        return tuple(v.code for v in self.codebook if v.role is Role.DOMAIN)

    def design(self, *, strata: bool = True, lonely_psu: LonelyPSU = "fail") -> Design:
        """Stations as PSUs, strata from ``stratum`` (when present and ``strata``)."""
        check_weights(self.weights)
        has_strata = strata and "stratum" in self.columns
        return Design.from_arrays(
            self.weights,
            strata=self.factor("stratum") if has_strata else None,
            psu=self.factor("station"),
            lonely_psu=lonely_psu,
        )


def check_weights(weights: Any, name: str = "weight") -> FloatArray:
    """Refuse missing, infinite, zero or negative analysis weights (naming the first row)."""
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.size == 0:
        raise DesignError(gettext_noop("Weights must be a non-empty one-dimensional array."))
    bad = ~np.isfinite(w)
    if bad.any():
        raise DesignError(
            gettext_noop("{name} is missing or infinite in {count} rows (first: row {row})."),
            name=name,
            count=int(bad.sum()),
            row=int(np.flatnonzero(bad)[0]),
        )
    bad = w <= 0
    if bad.any():
        raise DesignError(
            gettext_noop("{name} is zero or negative in {count} rows (first: row {row})."),
            name=name,
            count=int(bad.sum()),
            row=int(np.flatnonzero(bad)[0]),
        )
    return w


def dataset_from_answers(
    instrument: Instrument,
    answers: Iterable[Mapping[str, Any]],
    meta: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    *,
    language: str | None = None,
    labels: Mapping[str, Mapping[str, Labels]] | None = None,
    reference_year: int | None = None,
    fingerprint: str | None = None,
    chunk_size: int = 2048,
) -> Dataset:
    """Build the dataset from answers documents (one mapping per response, in the order
    of the ``meta`` arrays). ``labels`` gives level labels of design/domain columns
    (``{"sector": {"univ": {"zh-hans": ..., "en": ...}}}``); ``fingerprint`` is stored
    with the dataset (default: a hash of its content). ``meta`` may be a function, called
    once every answer has been read: a caller streaming rows from a database then learns
    each row's station while the answers go by."""
    book = codebook_from_instrument(instrument, language)
    builders = column_builders(book)
    keys = [b.key for b in builders]
    it = iter(answers)
    n = 0
    while chunk := list(islice(it, chunk_size)):
        n += len(chunk)
        by_key = transpose(chunk, keys)
        del chunk
        for b in builders:
            b.add(by_key[b.key])
    columns: dict[str, np.ndarray] = {}
    texts: dict[str, TextColumn] = {}
    invalid: dict[str, int] = {}
    for b in builders:
        for code, col in b.finish().items():
            (texts if isinstance(col, TextColumn) else columns)[code] = col
        if b.invalid:
            invalid[b.key] = b.invalid
    if callable(meta):
        meta = meta()
    if "station" not in meta:
        raise AnalysisError(gettext_noop("The dataset needs a station for every row."))
    extra: list[Variable] = []
    fac: Factor | None
    for name in ("station", "stratum", *STANDARD_DOMAINS, *sorted(set(meta) - _KNOWN)):
        if name in meta:
            fac = as_factor(meta[name], n, name)
            if name in ("station", "stratum") and np.any(fac.codes < 0):
                raise AnalysisError(
                    gettext_noop("{name} is missing in {count} rows."),
                    name=name,
                    count=int((fac.codes < 0).sum()),
                )
            fac = _fixed_order(name, fac)
        else:
            fac = _derive(name, book, columns, instrument, reference_year)
            if fac is None:
                continue
        columns[name] = fac.codes.astype(code_dtype(fac.n_levels))
        extra.append(domain_variable(name, fac.levels, (labels or {}).get(name)))
    if "weight" in meta:
        w = np.array(meta["weight"], dtype=np.float64)
        if w.shape != (n,):
            raise length_mismatch("weight", int(w.size), n)
        check_weights(w)
    else:
        w = np.ones(n)
    columns["weight"] = w
    extra.append(domain_variable("weight", ()))
    book = book.with_variables(tuple(extra))
    fp = fingerprint if fingerprint is not None else content_fingerprint(book, columns, texts)
    return Dataset(book, columns, texts, fp, invalid)


_KNOWN = frozenset(("station", "stratum", "weight", *STANDARD_DOMAINS))


def _fixed_order(name: str, fac: Factor) -> Factor:
    """Domains with fixed levels keep them all, in their standard order."""
    if name not in FIXED_LEVELS:
        return fac
    order = tuple(code for code, _ in FIXED_LEVELS[name])
    unknown = sorted(set(fac.levels) - set(order))
    if unknown:
        raise AnalysisError(
            gettext_noop("{name} has unknown levels: {levels} (expected {expected})."),
            name=name,
            levels=", ".join(unknown),
            expected=", ".join(order),
        )
    remap = np.array([order.index(lv) for lv in fac.levels] + [-1], dtype=np.int64)
    return Factor(remap[fac.codes], order)


def _derive(
    name: str,
    book: Codebook,
    columns: Mapping[str, np.ndarray],
    instrument: Instrument,
    reference_year: int | None,
) -> Factor | None:
    if name in _DERIVED:
        item, mapping = _DERIVED[name]
        var = book.get(item)
        if var is None or set(var.level_codes) != set(mapping):
            return None
        order = tuple(code for code, _ in FIXED_LEVELS[name])
        remap = np.array([order.index(mapping[c]) for c in var.level_codes] + [-1])
        return Factor(remap[columns[item].astype(np.int64)], order)
    if name == "region":
        var = book.get("A8")
        a8 = instrument.item("A8")
        if var is None or a8 is None or a8.choices != "region":
            return None
        # the "other" code (999999: outside the city) is no region of the frame
        keep = tuple(c for c in var.level_codes if set(c) != {"9"})
        remap = np.array([keep.index(c) if c in keep else -1 for c in var.level_codes] + [-1])
        return Factor(remap[columns["A8"].astype(np.int64)], keep)
    if name == "age_group" and reference_year is not None and "A2" in columns:
        age = reference_year - columns["A2"]
        codes = np.searchsorted(np.array(_AGE_BREAKS), np.nan_to_num(age, nan=-1.0), "right")
        codes = np.where(np.isnan(age) | (age < 0), -1, codes)
        return Factor(codes.astype(np.int64), tuple(c for c, _ in FIXED_LEVELS["age_group"]))
    return None


def content_fingerprint(
    book: Codebook, columns: Mapping[str, np.ndarray], texts: Mapping[str, TextColumn]
) -> str:
    """blake2b of the codebook and every column's bytes."""
    h = hashlib.blake2b(digest_size=20)
    h.update(book.to_json().encode("utf-8"))
    for code in sorted(columns):
        h.update(code.encode("utf-8"))
        h.update(np.ascontiguousarray(columns[code]).view(np.uint8))
    for code in sorted(texts):
        t = texts[code]
        h.update(code.encode("utf-8"))
        for arr in (t.data, t.offsets, t.missing):
            h.update(np.ascontiguousarray(arr).view(np.uint8))
    return h.hexdigest()
