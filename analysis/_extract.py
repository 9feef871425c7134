"""Turning answers documents (dicts keyed by answer code) into typed numpy columns.

Rows arrive in chunks of a few thousand, small enough that their answers documents stay
in the CPU cache while every answer code is pulled out of them with one comprehension;
each column's values are then coded with one C-level ``map`` or comprehension and
converted by numpy, which keeps the per-cell Python work to a few bytecodes. A value
that does not fit the item (an unknown choice code, text in a number) becomes missing and
is counted in ``invalid``; the slow per-cell path only runs for a chunk in which the fast
path met such a value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

import numpy as np

from .codebook import Codebook, Kind, Variable

Rows = Sequence[Mapping[str, Any]]


def transpose(rows: Rows, keys: Sequence[str]) -> dict[str, Sequence[Any]]:
    """``{key: values of key in each row}`` (None where a row lacks the key). Call it
    on chunks small enough (a few thousand rows) for their documents to stay in cache."""
    return {k: [r.get(k) for r in rows] for k in keys}


@dataclass(frozen=True, eq=False)
class TextColumn:
    """Strings stored as one UTF-8 byte buffer plus offsets (no Python objects to pickle)."""

    data: np.ndarray
    offsets: np.ndarray
    missing: np.ndarray

    @classmethod
    def from_strings(cls, values: Sequence[Any]) -> TextColumn:
        missing = np.fromiter(
            (not (isinstance(v, str) and v.strip()) for v in values), dtype=bool, count=len(values)
        )
        encoded = [
            v.encode("utf-8") if not m else b"" for v, m in zip(values, missing, strict=True)
        ]
        lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        return cls(data, offsets, missing)

    def __len__(self) -> int:
        return int(self.missing.shape[0])

    def __getitem__(self, i: int) -> str | None:
        if self.missing[i]:
            return None
        return self.data[self.offsets[i] : self.offsets[i + 1]].tobytes().decode("utf-8")

    def tolist(self) -> list[str | None]:
        raw = self.data.tobytes()
        off = self.offsets.tolist()
        return [
            None if m else raw[off[i] : off[i + 1]].decode("utf-8")
            for i, m in enumerate(self.missing.tolist())
        ]

    def take(self, idx: np.ndarray) -> list[str | None]:
        return [self[int(i)] for i in idx]


def code_dtype(n_levels: int) -> np.dtype:
    """Smallest signed integer type holding codes -1 .. n_levels-1."""
    for dt in (np.int8, np.int16, np.int32):
        if n_levels <= np.iinfo(dt).max:
            return np.dtype(dt)
    return np.dtype(np.int64)


class _Column:
    """Collects one answer code's values chunk by chunk."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.parts: list[Any] = []
        self.invalid = 0


class _Categorical(_Column):
    def __init__(self, key: str, var: Variable, targets: tuple[str, ...]) -> None:
        super().__init__(key)
        self.targets = targets
        self.dtype = code_dtype(len(var.levels))
        lookup = _Lookup({c: i for i, c in enumerate(var.level_codes)})
        lookup[None] = -1
        lookup[""] = -1
        self.lookup = lookup
        self.positions = len(targets)

    def add(self, vals: Sequence[Any]) -> None:
        lk = self.lookup.get
        if self.positions == 1 and self.targets[0] == self.key:
            try:
                out = [np.fromiter(map(self.lookup.__getitem__, vals), np.int64, len(vals))]
            except TypeError:  # an unhashable value (a list) in a single-choice answer
                out = [np.array([lk(v, -2) if isinstance(v, str | None) else -2 for v in vals])]
        else:  # ranking: the option at each position
            out = []
            lists = str not in set(map(type, vals))  # a bare string is no ranking
            for j in range(self.positions):
                try:
                    if not lists:
                        raise TypeError
                    col = [(lk(v[j], -2) if len(v) > j else -1) if v else -1 for v in vals]
                except (TypeError, KeyError, IndexError):
                    col = [_rank_at(v, j, lk) for v in vals]
                out.append(np.array(col, dtype=np.int64))
        bad = np.zeros(len(vals), dtype=bool)
        for arr in out:
            hit = arr == -2
            bad |= hit
            arr[hit] = -1
        self.invalid += int(bad.sum())  # answers, not positions
        self.parts.append([a.astype(self.dtype) for a in out])

    def finish(self) -> dict[str, np.ndarray]:
        return {
            t: _concat([p[j] for p in self.parts], self.dtype) for j, t in enumerate(self.targets)
        }


class _Lookup(dict[Any, int]):
    """Choice code -> integer code; an unknown code gives -2 (counted, then missing)."""

    def __missing__(self, key: Any) -> int:
        return -2


def _rank_at(v: Any, j: int, lk: Any) -> int:
    if not isinstance(v, list | tuple) or not v:
        return -1 if v in (None, "") or v == [] else -2
    if len(v) <= j:
        return -1
    return lk(v[j], -2) if isinstance(v[j], str) else -2


class _Multi(_Column):
    def __init__(self, key: str, options: tuple[str, ...], targets: tuple[str, ...]) -> None:
        super().__init__(key)
        self.bits = {c: 1 << i for i, c in enumerate(options)}
        self.targets = targets

    def add(self, vals: Sequence[Any]) -> None:
        get = self.bits.__getitem__
        try:
            masks = [reduce(or_, map(get, v), 0) if v else -1 for v in vals]
            if str in set(map(type, vals)):  # a bare string is no selection
                raise TypeError
        except (KeyError, TypeError):
            masks = [self._slow(v) for v in vals]
        arr = np.array(masks, dtype=np.int64)
        self.parts.append(arr)

    def _slow(self, v: Any) -> int:
        if v is None or v == "" or (isinstance(v, list | tuple) and not v):
            return -1
        if not isinstance(v, list | tuple):
            self.invalid += 1
            return -1
        mask = 0
        for c in v:
            bit = self.bits.get(c) if isinstance(c, str) else None
            if bit is None:
                self.invalid += 1
            else:
                mask |= bit
        return mask

    def finish(self) -> dict[str, np.ndarray]:
        masks = _concat(self.parts, np.dtype(np.int64))
        miss = masks < 0
        out = {}
        for j, t in enumerate(self.targets):
            col = ((masks >> j) & 1).astype(np.int8)
            col[miss] = -1
            out[t] = col
        return out


class _Numeric(_Column):
    def add(self, vals: Sequence[Any]) -> None:
        try:
            if bool in set(map(type, vals)):
                raise ValueError
            arr = np.array(vals, dtype=np.float64)
        except (ValueError, TypeError):
            arr = np.array([self._slow(v) for v in vals], dtype=np.float64)
        if not np.isfinite(arr[~np.isnan(arr)]).all():
            inf = np.isinf(arr)
            self.invalid += int(inf.sum())
            arr[inf] = np.nan
        self.parts.append(arr)

    def _slow(self, v: Any) -> float:
        if v is None or (isinstance(v, str) and not v.strip()):
            return math.nan
        if isinstance(v, bool) or not isinstance(v, int | float | str):
            self.invalid += 1
            return math.nan
        try:
            return float(v)
        except ValueError:
            self.invalid += 1
            return math.nan

    def finish(self) -> dict[str, np.ndarray]:
        return {self.key: _concat(self.parts, np.dtype(np.float64))}


class _Date(_Column):
    def add(self, vals: Sequence[Any]) -> None:
        vals = [v if isinstance(v, str) and v.strip() else None for v in vals]
        try:
            arr = np.array(vals, dtype="datetime64[D]")
        except ValueError:
            arr = np.array([self._slow(v) for v in vals], dtype="datetime64[D]")
        self.parts.append(arr)

    def _slow(self, v: str | None) -> np.datetime64:
        if v is None:
            return np.datetime64("NaT")
        try:
            return np.datetime64(v.strip(), "D")
        except ValueError:
            self.invalid += 1
            return np.datetime64("NaT")

    def finish(self) -> dict[str, np.ndarray]:
        return {self.key: _concat(self.parts, np.dtype("datetime64[D]"))}


class _Text(_Column):
    def add(self, vals: Sequence[Any]) -> None:
        self.parts.extend(vals)

    def finish(self) -> dict[str, TextColumn]:
        return {self.key: TextColumn.from_strings(self.parts)}


def _concat(parts: list[np.ndarray], dtype: np.dtype) -> np.ndarray:
    if not parts:
        return np.zeros(0, dtype=dtype)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def column_builders(codebook: Codebook) -> list[Any]:
    """One collector per answer code of the codebook's item variables."""
    builders: list[Any] = []
    seen: set[str] = set()
    for var in codebook.items():
        if var.kind is Kind.MULTI or var.rank is not None:
            assert var.item is not None
            if var.item in seen:
                continue
            seen.add(var.item)
            group = codebook.of_item(var.item)
            if var.kind is Kind.MULTI:
                multi = tuple(v for v in group if v.kind is Kind.MULTI)
                builders.append(
                    _Multi(
                        var.item, tuple(v.option or "" for v in multi), tuple(v.code for v in multi)
                    )
                )
            else:
                ranks = tuple(v.code for v in group if v.rank is not None)
                builders.append(_Categorical(var.item, var, ranks))
        elif var.kind is Kind.CATEGORICAL:
            builders.append(_Categorical(var.code, var, (var.code,)))
        elif var.kind is Kind.NUMERIC:
            builders.append(_Numeric(var.code))
        elif var.kind is Kind.DATE:
            builders.append(_Date(var.code))
        else:
            builders.append(_Text(var.code))
    return builders
