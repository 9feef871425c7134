"""What is being estimated (numeric columns or a factor's levels) and over which domains."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from instruments.messages import gettext_noop

from ._arrays import BoolArray, Factor, FloatArray, IntArray, as_factor, as_float
from .design import Design
from .errors import AnalysisError


def take(a: np.ndarray, idx: IntArray | None) -> np.ndarray:
    """``a`` restricted to the selected rows; ``idx=None`` selects all rows (no copy)."""
    return a if idx is None else a[idx]


@dataclass(frozen=True, eq=False)
class Values:
    """The columns being estimated: numeric columns, or the level indicators of one factor."""

    terms: tuple[str, ...]
    variables: tuple[str, ...]
    levels: tuple[str | None, ...]
    matrix: FloatArray | None = None
    codes: IntArray | None = None
    all_valid: bool = False  # caller guarantees no missing value (skips the NaN scan)

    @property
    def m(self) -> int:
        return len(self.terms)

    @property
    def is_factor(self) -> bool:
        return self.codes is not None

    def ok(self) -> BoolArray:
        if self.codes is not None:
            return self.codes >= 0
        assert self.matrix is not None
        if self.matrix.shape[1] == 1:
            return ~np.isnan(self.matrix[:, 0])
        return ~np.isnan(self.matrix).any(axis=1)

    def sums(
        self, key: IntArray | None, w: FloatArray, size: int, idx: IntArray | None
    ) -> FloatArray:
        """Weighted column sums of the selected rows grouped by ``key`` (None: one group)."""
        if self.codes is not None:
            codes = take(self.codes, idx)
            flat = codes if key is None else key * self.m + codes
            return np.bincount(flat, weights=w, minlength=size * self.m).reshape(size, self.m)
        assert self.matrix is not None
        out = np.empty((size, self.m))
        for j in range(self.m):
            col = take(self.matrix[:, j], idx)
            if key is None:
                out[0, j] = np.einsum("i,i->", w, col)  # not BLAS: see analysis._threads
            else:
                out[:, j] = np.bincount(key, weights=w * col, minlength=size)
        return out

    def segment_sums(self, starts: IntArray, w: FloatArray) -> FloatArray | None:
        """Weighted column sums over consecutive row segments beginning at ``starts``
        (all rows; the PSUs of a PSU-sorted design); None for a factor."""
        if self.codes is not None:
            return None
        assert self.matrix is not None
        wx = self.matrix * w[:, None] if self.m > 1 else (self.matrix[:, 0] * w)[:, None]
        return np.add.reduceat(wx, starts, axis=0)

    def rows(self, idx: IntArray | None, n: int) -> FloatArray:
        """The selected rows as a dense (rows x m) matrix (factor levels as 0/1)."""
        if self.codes is not None:
            codes = take(self.codes, idx)
            out = np.zeros((codes.size, self.m))
            out[np.arange(codes.size), codes] = 1.0
            return out
        assert self.matrix is not None
        return take(self.matrix, idx)


def make_values(values: Any, n: int, name: str = "y") -> Values:
    """Coerce a numeric array, a :class:`Factor` or a mapping name -> either into Values.

    Terms are named as R names them: a numeric variable by its name, a factor level by
    variable name + level (``q5L1``).
    """
    if isinstance(values, Mapping):
        items = list(values.items())
    else:
        items = [(name, values)]
    if not items:
        raise AnalysisError(gettext_noop("No variables were given."))
    parsed: list[tuple[str, FloatArray | Factor]] = []
    for key, val in items:
        if _is_categorical(val):
            parsed.append((str(key), as_factor(val, n, str(key))))
        else:
            parsed.append((str(key), as_float(val, n, str(key))))
    if len(parsed) == 1 and isinstance(fac := parsed[0][1], Factor):
        var = parsed[0][0]
        return Values(
            terms=tuple(f"{var}{lv}" for lv in fac.levels),
            variables=(var,) * fac.n_levels,
            levels=fac.levels,
            codes=fac.codes,
        )
    cols: list[FloatArray] = []
    terms: list[str] = []
    variables: list[str] = []
    levels: list[str | None] = []
    for var, val in parsed:
        if isinstance(val, Factor):
            ind = np.zeros((n, val.n_levels))
            ok = val.codes >= 0
            ind[np.flatnonzero(ok), val.codes[ok]] = 1.0
            ind[~ok] = np.nan
            cols.extend(ind.T)
            terms.extend(f"{var}{lv}" for lv in val.levels)
            variables.extend([var] * val.n_levels)
            levels.extend(val.levels)
        else:
            cols.append(val)
            terms.append(var)
            variables.append(var)
            levels.append(None)
    matrix = cols[0][:, None] if len(cols) == 1 else np.column_stack(cols)
    return Values(tuple(terms), tuple(variables), tuple(levels), matrix=matrix)


def _is_categorical(val: Any) -> bool:
    if isinstance(val, Factor) or hasattr(val, "categories") or hasattr(val, "cat"):
        return True
    arr = np.asarray(val)
    return arr.dtype.kind in "OUS"


@dataclass(frozen=True, eq=False)
class Domains:
    """Row -> domain code (-1: in no domain) and the domain labels, in R's svyby order."""

    codes: IntArray
    labels: tuple[tuple[str, ...], ...]
    whole: bool = False

    @property
    def count(self) -> int:
        return len(self.labels)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(".".join(lab) for lab in self.labels)


def by_variables(by: Any) -> list[Any]:
    """A list/tuple of variables, or one variable (which may itself be a list of labels)."""
    if (
        isinstance(by, list | tuple)
        and by
        and all(isinstance(b, Factor) or np.ndim(b) == 1 for b in by)
    ):
        return list(by)
    return [by]


def whole_sample(n: int) -> Domains:
    """One domain holding every row."""
    return Domains(np.zeros(n, dtype=np.int64), ((),), whole=True)


def cross_domains(design: Design, by: Sequence[Any]) -> Domains:
    """Domains from crossing factors; first factor varies fastest (R's ``interaction``).

    Cells without any unit of positive weight are dropped, as ``svyby`` does by default.
    """
    n = design.n
    facs = [as_factor(b, n, f"by[{i}]") for i, b in enumerate(by)]
    if not facs:
        raise AnalysisError(gettext_noop("At least one domain variable is needed."))
    code = np.zeros(n, dtype=np.int64)
    missing = np.zeros(n, dtype=bool)
    stride = 1
    for fac in facs:
        code += np.maximum(fac.codes, 0) * stride
        missing |= fac.codes < 0
        stride *= fac.n_levels
    code[missing] = -1
    used = np.bincount(code[(code >= 0) & (design.weights != 0)], minlength=stride) > 0
    remap = np.full(stride, -1, dtype=np.int64)
    cells = np.flatnonzero(used)
    remap[cells] = np.arange(cells.size)
    codes = np.where(code >= 0, remap[np.maximum(code, 0)], -1)
    labels = []
    for cell in cells:
        lab = []
        rest = int(cell)
        for fac in facs:
            lab.append(fac.levels[rest % fac.n_levels])
            rest //= fac.n_levels
        labels.append(tuple(lab))
    return Domains(codes, tuple(labels))
