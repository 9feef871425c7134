"""Array coercion and the categorical-variable type shared by the analysis modules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from instruments.messages import gettext_noop

from .errors import AnalysisError, length_mismatch

FloatArray = np.ndarray
IntArray = np.ndarray
BoolArray = np.ndarray


@dataclass(frozen=True, eq=False)
class Factor:
    """A categorical variable: integer codes into ``levels``; code -1 means missing (NA).

    Level order is the order of estimates and table rows (R's factor level order).
    """

    codes: IntArray
    levels: tuple[str, ...]

    def __post_init__(self) -> None:
        codes = np.asarray(self.codes)
        if codes.ndim != 1 or not np.issubdtype(codes.dtype, np.integer):
            raise AnalysisError(gettext_noop("Factor codes must be a 1-D integer array."))
        codes = codes.astype(np.int64, copy=False)
        if codes.size and (codes.min() < -1 or codes.max() >= len(self.levels)):
            raise AnalysisError(
                gettext_noop("Factor codes must lie between -1 and {top}."),
                top=len(self.levels) - 1,
            )
        object.__setattr__(self, "codes", codes)
        object.__setattr__(self, "levels", tuple(str(lv) for lv in self.levels))

    @classmethod
    def from_values(cls, values: Any, levels: Sequence[Any] | None = None) -> Factor:
        """Code ``values``; missing are None, NaN and the empty string.

        Without ``levels`` the sorted distinct values are used, as R's ``factor()`` does.
        Values not in an explicit ``levels`` list become missing.
        """
        arr = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
        if arr.ndim != 1:
            raise AnalysisError(gettext_noop("A categorical variable must be one-dimensional."))
        missing = _missing_mask(arr)
        present = arr[~missing]
        if levels is None:
            uniq, inverse = np.unique(present, return_inverse=True)
            codes = np.full(arr.shape[0], -1, dtype=np.int64)
            codes[~missing] = inverse
            return cls(codes, tuple(_label(u) for u in uniq))
        lookup = {str(lv): i for i, lv in enumerate(levels)}
        uniq, inverse = np.unique(present, return_inverse=True)
        mapped = np.array([lookup.get(_label(u), -1) for u in uniq], dtype=np.int64)
        codes = np.full(arr.shape[0], -1, dtype=np.int64)
        codes[~missing] = mapped[inverse] if uniq.size else -1
        return cls(codes, tuple(str(lv) for lv in levels))

    @property
    def n_levels(self) -> int:
        return len(self.levels)

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    @property
    def missing(self) -> BoolArray:
        return self.codes < 0

    def drop_unused(self, rows: BoolArray | None = None) -> Factor:
        """Keep only levels observed (among ``rows``), like R's ``factor(f)``."""
        sel = self.codes if rows is None else self.codes[rows]
        used = np.zeros(self.n_levels, dtype=bool)
        used[sel[sel >= 0]] = True
        if used.all():
            return self
        remap = np.full(self.n_levels, -1, dtype=np.int64)
        remap[used] = np.arange(int(used.sum()))
        codes = np.where(self.codes >= 0, remap[np.maximum(self.codes, 0)], -1)
        return Factor(codes, tuple(lv for lv, u in zip(self.levels, used, strict=True) if u))


def _label(value: Any) -> str:
    """Level label as R's as.character: whole floats without a decimal point."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _missing_mask(arr: np.ndarray) -> BoolArray:
    if arr.dtype.kind in "fc":
        return np.isnan(arr)
    if arr.dtype.kind in "iub":
        return np.zeros(arr.shape[0], dtype=bool)
    try:  # element-wise comparisons run in C; NaN is the value unequal to itself
        return np.asarray((arr == None) | (arr != arr) | (arr == ""), dtype=bool)  # noqa: E711
    except (TypeError, ValueError):  # e.g. pandas.NA, whose truth value is ambiguous
        pass
    out = np.zeros(arr.shape[0], dtype=bool)
    for i, v in enumerate(arr):
        if v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and v == ""):
            out[i] = True
        elif v.__class__.__name__ in ("NAType", "NaTType"):
            out[i] = True
    return out


def as_factor(values: Any, n: int, name: str) -> Factor:
    """Coerce ``values`` (Factor, pandas Categorical/Series, array-like) to a Factor."""
    if isinstance(values, Factor):
        fac = values
    elif hasattr(values, "cat") and hasattr(values.cat, "codes"):  # pandas categorical Series
        fac = Factor(np.asarray(values.cat.codes, dtype=np.int64), tuple(values.cat.categories))
    elif hasattr(values, "codes") and hasattr(values, "categories"):  # pandas Categorical
        fac = Factor(np.asarray(values.codes, dtype=np.int64), tuple(values.categories))
    else:
        fac = Factor.from_values(np.asarray(values) if not isinstance(values, list) else values)
    if len(fac) != n:
        raise length_mismatch(name, len(fac), n)
    return fac


def as_float(values: Any, n: int, name: str) -> FloatArray:
    """A float64 copy-free view of ``values``; None becomes NaN."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AnalysisError(
            gettext_noop("{name} must be numeric."),
            name=name,
        ) from exc
    if arr.ndim != 1:
        raise AnalysisError(gettext_noop("{name} must be one-dimensional."), name=name)
    if arr.shape[0] != n:
        raise length_mismatch(name, arr.shape[0], n)
    return arr


def as_matrix(values: Any, n: int, name: str) -> FloatArray:
    """A 2-D float64 array with ``n`` rows (a 1-D input becomes one column)."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise AnalysisError(gettext_noop("{name} must be a matrix."), name=name)
    if arr.shape[0] != n:
        raise length_mismatch(name, arr.shape[0], n)
    return arr


def as_mask(values: Any, n: int, name: str) -> BoolArray:
    """A boolean row mask; missing (NaN/None) counts as False, as in R's ``subset``."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise AnalysisError(gettext_noop("{name} must be one-dimensional."), name=name)
    if arr.shape[0] != n:
        raise length_mismatch(name, arr.shape[0], n)
    if arr.dtype == bool:
        same: BoolArray = arr
        return same
    if arr.dtype.kind in "iuf":
        nonzero: BoolArray = np.nan_to_num(arr.astype(np.float64), nan=0.0) != 0
        return nonzero
    return np.array([bool(v) if v is not None and v == v else False for v in arr], dtype=bool)
