"""Answer columns: one numpy array per answer code over all persons, plus visibility.

Kinds: ``code`` (option index, one of ``options``), ``int``, ``float``, ``multi`` (n × k
booleans), ``rank`` (n × r option indices in rank order). ``shown`` is the skip logic:
False where the item is hidden for that person (None: always shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

CODE, INT, FLOAT, MULTI, RANK = "code", "int", "float", "multi", "rank"


@dataclass(frozen=True, eq=False)
class Column:
    kind: str
    values: np.ndarray
    options: tuple[str, ...] = ()
    shown: np.ndarray | None = None

    def visible(self, n: int) -> np.ndarray:
        return np.ones(n, dtype=bool) if self.shown is None else self.shown

    def take(self, rows: np.ndarray) -> Column:
        return Column(
            self.kind,
            self.values[rows],
            self.options,
            None if self.shown is None else self.shown[rows],
        )

    def codes(self) -> np.ndarray:
        """Object array of option codes (code kind)."""
        return np.asarray(self.options, dtype=object)[self.values]

    def to_python(self, present: np.ndarray) -> list[Any]:
        """Values as the respondent form stores them; None where not ``present``."""
        if self.kind == CODE:
            out = np.where(present, self.codes(), np.array(None, dtype=object))
            return out.tolist()
        if self.kind == INT:
            return [
                int(v) if p else None for v, p in zip(self.values.tolist(), present, strict=True)
            ]
        if self.kind == FLOAT:
            return [
                float(v) if p else None for v, p in zip(self.values.tolist(), present, strict=True)
            ]
        if self.kind == MULTI:
            return _lists_from_bits(self.values, self.options, present)
        if self.kind == RANK:
            return _lists_from_ranks(self.values, self.options, present)
        raise ValueError(self.kind)


def _lists_from_bits(
    matrix: np.ndarray, options: tuple[str, ...], present: np.ndarray
) -> list[Any]:
    # At most a few hundred distinct patterns occur: build each list once and share it.
    k = matrix.shape[1]
    keys = matrix.astype(np.int64) @ (np.int64(1) << np.arange(k, dtype=np.int64))
    cache: dict[int, list[str]] = {}
    out: list[Any] = []
    for key, keep in zip(keys.tolist(), present.tolist(), strict=True):
        if not keep:
            out.append(None)
            continue
        found = cache.get(key)
        if found is None:
            found = cache[key] = [options[j] for j in range(k) if key >> j & 1]
        out.append(found)
    return out


def _lists_from_ranks(
    matrix: np.ndarray, options: tuple[str, ...], present: np.ndarray
) -> list[Any]:
    cache: dict[tuple[int, ...], list[str]] = {}
    out: list[Any] = []
    for row, keep in zip(map(tuple, matrix.tolist()), present.tolist(), strict=True):
        if not keep:
            out.append(None)
            continue
        found = cache.get(row)
        if found is None:
            found = cache[row] = [options[j] for j in row]
        out.append(found)
    return out
