"""A stratified single-stage cluster design and its linearisation variance.

Mirrors R's ``survey`` 4.1-1 (``svydesign(ids=~psu, strata=~stratum, weights=~w, fpc=)``,
``svyrecvar``/``onestage``/``onestrat``): influence values are totalled per PSU, the PSU
totals are centred within each stratum and their crossproducts are added up with the
factor ``f_h n_h/(n_h-1)``. Survey stations are the PSUs.

Domains follow R's ``subset()``: the design of the whole sample is kept and units outside
the domain get zero weight, so strata and PSU counts stay those of the full design. R
drops those rows for an uncalibrated design and keeps them (weight 0) for a calibrated
one; ``active`` records which rows R would still hold, which matters only for row counts
(``n_rows``), the ``average`` lonely-PSU rule and variance after calibration.

Strata with a single PSU (``lonely_psu``, R's ``survey.lonely.psu``, 4.1-1 behaviour):
``fail`` raises when a variance needs such a stratum; ``remove`` and ``certainty`` give it
no variance (single-stage designs make them equal); ``adjust`` centres its PSU total on 0
instead of the stratum mean (4.3+ centre on the grand mean: totals differ); ``average``
leaves it out and scales the variance by #strata / #strata with more than one PSU.
``degf`` is #PSU - #strata among units of non-zero weight.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

import numpy as np
import scipy.sparse as sp

from instruments.messages import gettext_noop

from ._arrays import BoolArray, Factor, FloatArray, IntArray, as_mask
from .errors import DesignError, LonelyPSUError, length_mismatch

LonelyPSU = Literal["fail", "remove", "certainty", "adjust", "average"]
LONELY_PSU_OPTIONS: tuple[str, ...] = ("fail", "remove", "certainty", "adjust", "average")

#: R treats a stratum whose sampling fraction is (almost) 1 as self-representing.
_SELF_REPRESENTING = 1e-7


class CalibrationStep(Protocol):
    """A weighting step whose residuals replace the influence values (postStrata in R)."""

    def residualize(self, x: FloatArray, rows: BoolArray | None) -> FloatArray:
        """Residuals of ``x`` (n x k); ``rows`` are the rows R still holds (None: all)."""
        ...


@dataclass(frozen=True, eq=False)
class Design:
    """Weights, strata and PSUs of a sample. Build it with :meth:`from_arrays`."""

    weights: FloatArray
    psu: IntArray
    stratum: IntArray
    psu_stratum: IntArray
    n_psu: IntArray
    fpc_f: FloatArray | None
    lonely_psu: LonelyPSU
    psu_labels: tuple[str, ...]
    stratum_labels: tuple[str, ...]
    has_strata: bool
    active: BoolArray
    calibration: tuple[CalibrationStep, ...] = ()
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # ------------------------------------------------------------------ building ----
    @classmethod
    def from_arrays(
        cls,
        weights: Any,
        *,
        strata: Any = None,
        psu: Any = None,
        fpc: Any = None,
        lonely_psu: LonelyPSU = "fail",
        nest: bool = False,
    ) -> Design:
        """Build a design from per-row arrays.

        ``fpc`` is per row and constant within a stratum: either the number of PSUs in the
        population stratum (all values > 1) or the sampling fraction (all values <= 1).
        ``nest=True`` makes PSU ids unique within strata (R's ``nest=TRUE``).
        """
        w = np.array(weights, dtype=np.float64, copy=True)
        if w.ndim != 1 or w.size == 0:
            raise DesignError(gettext_noop("Weights must be a non-empty one-dimensional array."))
        n = w.shape[0]
        if not np.all(np.isfinite(w)):
            raise DesignError(gettext_noop("Weights must not be missing or infinite."))
        if np.any(w < 0):
            raise DesignError(
                gettext_noop("Weights must not be negative ({count} negative values)."),
                count=int((w < 0).sum()),
            )
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise DesignError(
                gettext_noop("Unknown lonely-PSU option {option}; use one of {options}."),
                option=lonely_psu,
                options=", ".join(LONELY_PSU_OPTIONS),
            )
        s_codes, s_labels = (
            _codes(strata, n, "strata")
            if strata is not None
            else (
                np.zeros(n, dtype=np.int64),
                ("1",),
            )
        )
        if psu is None:
            p_codes, p_labels = np.arange(n, dtype=np.int64), tuple(str(i + 1) for i in range(n))
        else:
            p_codes, p_labels = _codes(psu, n, "PSU ids")
        if nest:
            base = int(p_codes.max()) + 1
            uniq, p_codes = np.unique(s_codes * base + p_codes, return_inverse=True)
            p_labels = tuple(f"{s_labels[u // base]}.{p_labels[u % base]}" for u in uniq)
        psu_stratum = _psu_strata(p_codes, s_codes, p_labels)
        n_psu = np.bincount(psu_stratum, minlength=len(s_labels)).astype(np.int64)
        fpc_f = None if fpc is None else _fpc_fraction(fpc, s_codes, n_psu, s_labels)
        for arr in (w, s_codes, p_codes, psu_stratum, n_psu):
            arr.setflags(write=False)
        active = np.ones(n, dtype=bool)
        active.setflags(write=False)
        return cls(
            weights=w,
            psu=p_codes,
            stratum=s_codes,
            psu_stratum=psu_stratum,
            n_psu=n_psu,
            fpc_f=fpc_f,
            lonely_psu=lonely_psu,
            psu_labels=p_labels,
            stratum_labels=s_labels,
            has_strata=strata is not None,
            active=active,
        )

    # --------------------------------------------------------------- properties ----
    @property
    def n(self) -> int:
        """Rows in the data (including rows outside a domain)."""
        return int(self.weights.shape[0])

    @property
    def n_rows(self) -> int:
        """Rows R's design object would hold (``nrow(design)``)."""
        return int(self.active.sum())

    @property
    def n_psus(self) -> int:
        return len(self.psu_labels)

    @property
    def n_strata(self) -> int:
        return len(self.stratum_labels)

    @property
    def calibrated(self) -> bool:
        return bool(self.calibration)

    @property
    def sum_weights(self) -> float:
        return float(self.weights.sum())

    def degf(self) -> int:
        """Design degrees of freedom: PSUs minus strata among units with non-zero weight."""
        cached = self._cache.get("degf")
        if cached is None:
            psus = np.bincount(self.psu, weights=self.weights, minlength=self.n_psus) > 0
            strata = np.bincount(self.psu_stratum[psus], minlength=self.n_strata) > 0
            cached = self._cache["degf"] = int(psus.sum() - strata.sum())
        return cached

    def nu(self) -> int:
        """PSUs minus strata among the rows R holds (svychisq's df in survey 4.1-1)."""
        psus = np.bincount(self.psu[self.active], minlength=self.n_psus) > 0
        strata = np.bincount(self.stratum[self.active], minlength=self.n_strata) > 0
        return int(psus.sum() - strata.sum())

    def strata_present(self, rows: BoolArray | None = None) -> BoolArray:
        """Strata with at least one of ``rows`` (default: the active rows)."""
        if rows is None:
            cached = self._cache.get("strata_present")
            if cached is None:
                cached = np.bincount(self.stratum[self.active], minlength=self.n_strata) > 0
                self._cache["strata_present"] = cached
            return cached
        return np.bincount(self.stratum[rows], minlength=self.n_strata) > 0

    # ------------------------------------------------------------------ domains ----
    def subset(self, mask: Any) -> Design:
        """The design restricted to a domain, as R's ``subset(design, mask)``.

        Weights outside the domain become zero; strata, PSUs and ``n_psu`` are kept, so
        variances are those of domain estimation on the full design. Missing mask values
        count as outside the domain.
        """
        m = as_mask(mask, self.n, "domain mask")
        w = np.where(m, self.weights, 0.0)
        w.setflags(write=False)
        active = self.active if self.calibrated else (self.active & m)
        active.setflags(write=False)
        return replace(self, weights=w, active=active, _cache=self._structure())

    def with_weights(self, weights: FloatArray, step: CalibrationStep | None = None) -> Design:
        """A copy with new weights (and a calibration step whose residuals enter the variance)."""
        w = np.array(weights, dtype=np.float64, copy=True)
        if w.shape != self.weights.shape:
            raise length_mismatch("weights", int(w.size), self.n)
        w.setflags(write=False)
        steps = self.calibration if step is None else (*self.calibration, step)
        return replace(self, weights=w, calibration=steps, _cache=self._structure())

    # ----------------------------------------------------------------- variance ----
    def _structure(self) -> dict[str, Any]:
        """Cached facts that depend only on the PSUs (kept by subsets and reweighting)."""
        return {k: v for k, v in self._cache.items() if k in ("psu_matrix", "psu_starts")}

    def psu_starts(self) -> IntArray | None:
        """The first row of each PSU when the rows are sorted by PSU (a wave's dataset
        is), else None. Sorted rows make PSU totals a segmented sum (``reduceat``), ten
        times faster than ``bincount``."""
        if "psu_starts" not in self._cache:
            p = self.psu
            starts = None
            if p.size and bool(np.all(p[1:] >= p[:-1])):
                starts = np.flatnonzero(np.concatenate(([True], p[1:] != p[:-1])))
                if starts.size != self.n_psus:  # pragma: no cover - every PSU has rows
                    starts = None
            self._cache["psu_starts"] = starts
        cached: IntArray | None = self._cache["psu_starts"]
        return cached

    def psu_totals(self, x: FloatArray) -> FloatArray:
        """Column totals of ``x`` (n x k) within each PSU: a (n_psus x k) array."""
        x2 = x[:, None] if x.ndim == 1 else x
        starts = self.psu_starts()
        if starts is not None and (x2.shape[1] == 1 or x2.flags.f_contiguous):
            return np.add.reduceat(x2, starts, axis=0)
        if x2.shape[1] <= 4:
            out = np.empty((self.n_psus, x2.shape[1]))
            for j in range(x2.shape[1]):
                out[:, j] = np.bincount(self.psu, weights=x2[:, j], minlength=self.n_psus)
            return out
        return np.asarray(self._psu_matrix() @ x2)

    def residualize(self, x: FloatArray) -> FloatArray:
        """Apply the calibration steps to influence values (identity when uncalibrated)."""
        if not self.calibration:
            return x
        rows = None if bool(self.active.all()) else self.active
        out = x
        for step in self.calibration:
            out = step.residualize(out, rows)
        if rows is not None:
            out = np.where(rows[:, None], out, 0.0)
        return out

    def vcov_from_influence(self, x: Any, present: BoolArray | None = None) -> FloatArray:
        """Linearisation covariance of estimators with influence values ``x`` (n or n x k).

        ``present`` (strata, or columns x strata) only matters for the ``average``
        lonely-PSU rule, which rescales by the strata present in each domain.
        """
        arr = np.asarray(x, dtype=np.float64)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.shape[0] != self.n:
            raise length_mismatch("influence values", arr.shape[0], self.n)
        return self.vcov_from_psu_totals(self.psu_totals(self.residualize(arr)), present)

    def vcov_from_psu_totals(
        self, totals: FloatArray, present: BoolArray | None = None
    ) -> FloatArray:
        """Stratified with-replacement covariance of PSU totals (R's ``onestage``)."""
        tc, weight, mult = self._centred_totals(totals, present)
        v: FloatArray = (tc * weight[:, None]).T @ tc
        if mult is not None:
            v = v * (np.sqrt(np.outer(mult, mult)) if mult.ndim else mult)
        return v

    def variance_from_psu_totals(
        self, totals: FloatArray, present: BoolArray | None = None
    ) -> FloatArray:
        """The diagonal of :meth:`vcov_from_psu_totals` only (no k x k product)."""
        tc, weight, mult = self._centred_totals(totals, present)
        v: FloatArray = np.einsum("pk,pk,p->k", tc, tc, weight)
        return v if mult is None else v * mult

    def _centred_totals(
        self, totals: FloatArray, present: BoolArray | None
    ) -> tuple[FloatArray, FloatArray, FloatArray | None]:
        """PSU totals centred within strata, each PSU's factor f_h n_h/(n_h-1), and the
        ``average`` rule's multiplier (None for the other rules)."""
        t = totals[:, None] if totals.ndim == 1 else totals
        n_h = self.n_psu
        f_h = np.ones(self.n_strata) if self.fpc_f is None else self.fpc_f
        single = (n_h == 1) & (f_h >= _SELF_REPRESENTING)
        needs_present = self.lonely_psu == "average" or (self.lonely_psu == "fail" and single.any())
        if present is None:
            present_h = (
                self.strata_present() if needs_present else np.ones(self.n_strata, dtype=bool)
            )
        else:
            present_h = present
        if self.lonely_psu == "fail":
            bad = single & (present_h if present_h.ndim == 1 else present_h.any(axis=0))
            if bad.any():
                raise LonelyPSUError(
                    gettext_noop(
                        "Stratum {stratum} has only one PSU, so its variance cannot be "
                        "estimated. Merge it with another stratum or choose a lonely-PSU "
                        "option (remove, certainty, adjust or average)."
                    ),
                    stratum=self.stratum_labels[int(np.flatnonzero(bad)[0])],
                )
        sums = np.zeros((self.n_strata, t.shape[1]))
        np.add.at(sums, self.psu_stratum, t)
        centre = ~((n_h == 1) & (self.lonely_psu == "adjust"))
        means = np.where(centre[:, None], sums / np.maximum(n_h, 1)[:, None], 0.0)
        tc = t - means[self.psu_stratum]
        scale = f_h * np.where(n_h > 1, n_h / np.maximum(n_h - 1, 1), 1.0)
        scale = np.where(f_h < _SELF_REPRESENTING, 0.0, scale)
        mult = None
        if self.lonely_psu == "average":
            scale = np.where(single, 0.0, scale)
            nstrat = present_h.sum(axis=-1)
            nok = (present_h & ~single).sum(axis=-1)
            with np.errstate(divide="ignore", invalid="ignore"):
                mult = np.asarray(nstrat / nok, dtype=np.float64)
        return tc, scale[self.psu_stratum], mult

    def _psu_matrix(self) -> sp.csr_matrix:
        mat = self._cache.get("psu_matrix")
        if mat is None:
            ones = np.ones(self.n)
            mat = sp.csr_matrix((ones, (self.psu, np.arange(self.n))), shape=(self.n_psus, self.n))
            self._cache["psu_matrix"] = mat
        return mat


# ----------------------------------------------------------------------- helpers ----
def _codes(values: Any, n: int, name: str) -> tuple[IntArray, tuple[str, ...]]:
    if isinstance(values, Factor):  # already coded: no sort of the raw values needed
        if len(values) != n:
            raise length_mismatch(name, len(values), n)
        if np.any(values.codes < 0):
            raise DesignError(gettext_noop("{name} must not have missing values."), name=name)
        fac = values.drop_unused()
        return fac.codes, fac.levels
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise DesignError(gettext_noop("{name} must be one-dimensional."), name=name)
    if arr.shape[0] != n:
        raise length_mismatch(name, arr.shape[0], n)
    if (arr.dtype.kind == "f" and np.isnan(arr).any()) or (
        arr.dtype == object and any(v is None or v != v for v in arr)
    ):
        raise DesignError(gettext_noop("{name} must not have missing values."), name=name)
    uniq, inverse = np.unique(arr, return_inverse=True)
    return inverse.astype(np.int64), tuple(str(u) for u in uniq)


def _psu_strata(p_codes: IntArray, s_codes: IntArray, p_labels: tuple[str, ...]) -> IntArray:
    n_psus = len(p_labels)
    first = np.full(n_psus, -1, dtype=np.int64)
    first[p_codes[::-1]] = s_codes[::-1]
    clash = first[p_codes] != s_codes
    if clash.any():
        raise DesignError(
            gettext_noop(
                "PSU {psu} appears in more than one stratum; PSU ids must be nested in "
                "strata (or build the design with nest=True)."
            ),
            psu=p_labels[int(p_codes[np.flatnonzero(clash)[0]])],
        )
    return first


def _fpc_fraction(
    fpc: Any, s_codes: IntArray, n_psu: IntArray, labels: tuple[str, ...]
) -> FloatArray:
    arr = np.asarray(fpc, dtype=np.float64)
    if arr.shape != s_codes.shape:
        raise length_mismatch("fpc", int(arr.size), int(s_codes.size))
    if np.isnan(arr).any() or np.any(arr <= 0):
        raise DesignError(gettext_noop("fpc values must be positive and not missing."))
    if np.any(arr > 1) and not np.all(arr >= 1):
        raise DesignError(
            gettext_noop("fpc must be all population sizes (> 1) or all sampling fractions (<= 1).")
        )
    per = np.full(len(labels), np.nan)
    per[s_codes] = arr
    if np.any(arr != per[s_codes]):
        bad = int(s_codes[np.flatnonzero(arr != per[s_codes])[0]])
        raise DesignError(gettext_noop("fpc varies within stratum {stratum}."), stratum=labels[bad])
    popsize = per if np.any(arr > 1) else n_psu / per
    if np.any(popsize < n_psu):
        # xgettext:no-python-format
        raise DesignError(gettext_noop("fpc implies more than 100% sampling in some strata."))
    f = np.where(np.isinf(popsize), 1.0, (popsize - n_psu) / popsize)
    f.setflags(write=False)
    return f
