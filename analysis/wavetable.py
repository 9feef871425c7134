"""The wave table: every closed item x the whole sample and each standard domain.

For each categorical column the proportion of every level, for each multiple-choice
option the proportion choosing it, for each numeric column the mean; each with the
unweighted base ``n`` and ``count``, the weighted estimate, its linearisation SE, a 95%
interval (proportions: R's ``svyciprop`` logit interval, see
:func:`analysis.table.prop_ci`; means: t), the design effect and the design degrees of
freedom of the domain. Rows pass through :func:`analysis.suppression.suppress`.

Design: stations are the PSUs, strata the ``stratum`` column (the sector) when present,
the dataset's final weights are taken as design weights (the raking that produced them is
not carried into the variances). Domain estimation is on the full design, as R's
``svyby``; the design effect compares with simple random sampling with replacement
(R's ``deff="replace"``), which stays defined when weights sum to the sample size.

Speed: rows are first grouped into cells (PSU x every domain column), once per table.
Per variable there is one weighted and one unweighted ``bincount`` over the rows, into
cells x levels; every domain's PSU totals then come from a sparse cells -> (domain, PSU)
sum, and the variances from those totals, so no per-domain pass over the rows is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

from instruments.messages import gettext_noop

from ._arrays import FloatArray, IntArray
from .codebook import STANDARD_DOMAINS, Kind, Variable
from .dataset import Dataset
from .design import Design, LonelyPSU
from .errors import AnalysisError
from .suppression import DEFAULT_K, suppress
from .table import EstimateTable, exact_edges, mean_ci, prop_ci

Empty = Literal["skip", "raise"]


def wave_table(
    ds: Dataset,
    *,
    by: Sequence[str] = STANDARD_DOMAINS,
    k: int = DEFAULT_K,
    level: float = 0.95,
    strata: bool = True,
    lonely_psu: LonelyPSU = "fail",
    variables: Sequence[str] | None = None,
    empty: Empty = "skip",
) -> EstimateTable:
    """The suppressed wave table. ``by`` lists the breakdowns (those missing from the
    dataset are left out); ``variables`` restricts the columns (default: every closed
    item column); a column nobody answered is left out, or refused with ``empty="raise"``.
    """
    raw = wave_estimates(
        ds,
        by=by,
        level=level,
        strata=strata,
        lonely_psu=lonely_psu,
        variables=variables,
        empty=empty,
    )
    return suppress(raw, k)


def wave_estimates(
    ds: Dataset,
    *,
    by: Sequence[str] = STANDARD_DOMAINS,
    level: float = 0.95,
    strata: bool = True,
    lonely_psu: LonelyPSU = "fail",
    variables: Sequence[str] | None = None,
    empty: Empty = "skip",
) -> EstimateTable:
    """The wave table before suppression (for checks; never publish it)."""
    if not 0.0 < level < 1.0:
        raise AnalysisError(gettext_noop("The confidence level must lie between 0 and 1."))
    design = ds.design(strata=strata, lonely_psu=lonely_psu)
    cells = _Cells(ds, design, [b for b in by if b in ds.columns])
    if variables is None:
        chosen = list(ds.codebook.closed())
    else:
        chosen = [ds.codebook[v] for v in variables]
        for var in chosen:
            if not var.closed:
                raise AnalysisError(
                    gettext_noop("{variable} is not a closed item and has no wave-table row."),
                    variable=var.code,
                )
    tables = []
    for var in chosen:
        part = _variable_rows(ds, cells, var, level)
        if part is None:
            if empty == "raise":
                raise AnalysisError(
                    gettext_noop("{variable} has no valid answers in this wave."), variable=var.code
                )
            continue
        tables.append(part)
    return EstimateTable.concat(tables)


class _Cells:
    """Rows grouped by (PSU, level of each breakdown); the map cells -> (domain, PSU)."""

    def __init__(self, ds: Dataset, design: Design, by: list[str]) -> None:
        self.design = design
        self.w = design.weights
        n_psu = design.n_psus
        key = design.psu.astype(np.int64)
        facs = [ds.factor(b) for b in by]
        for fac in facs:
            key = key * (fac.n_levels + 1) + (fac.codes + 1)
        uniq, self.cell = np.unique(key, return_inverse=True)
        self.n_cells = int(uniq.size)
        doms: list[tuple[str, str]] = [("", "")]
        rows = [np.zeros(self.n_cells, dtype=np.int64)]
        cols = [np.arange(self.n_cells)]
        rest = uniq.copy()
        decoded = []
        for fac in reversed(facs):
            decoded.append(rest % (fac.n_levels + 1) - 1)
            rest //= fac.n_levels + 1
        cell_psu = rest
        for b, fac, code in zip(by, facs, reversed(decoded), strict=True):
            ok = code >= 0
            rows.append(len(doms) + code[ok])
            cols.append(np.flatnonzero(ok))
            doms.extend((b, lv) for lv in fac.levels)
        self.domains = doms
        self.n_dom = len(doms)
        r = np.concatenate(rows)
        c = np.concatenate(cols)
        psu = cell_psu[c]
        self.agg = sp.csr_matrix(
            (np.ones(r.size), (r * n_psu + psu, c)), shape=(self.n_dom * n_psu, self.n_cells)
        )
        self.n_psu = n_psu
        self.psu_in_stratum = np.zeros((n_psu, design.n_strata))
        self.psu_in_stratum[np.arange(n_psu), design.psu_stratum] = 1.0

    def domain_psu(self, per_cell: FloatArray) -> FloatArray:
        """(cells x m) -> (domains x PSUs x m)."""
        out = self.agg @ per_cell
        return np.asarray(out).reshape(self.n_dom, self.n_psu, -1)

    def sums(
        self, idx: IntArray | None, codes: IntArray | None, m: int, values: FloatArray | None
    ) -> tuple[FloatArray, FloatArray]:
        """Weighted and unweighted totals per cell and column over rows ``idx``: a level
        indicator (``codes``) or a numeric column (``values``)."""
        cell = self.cell if idx is None else self.cell[idx]
        w = self.w if idx is None else self.w[idx]
        size = self.n_cells * m
        if codes is not None:
            key = cell * m + codes
            sw = np.bincount(key, weights=w, minlength=size)
            sn = np.bincount(key, minlength=size).astype(np.float64)
        else:
            assert values is not None
            sw = np.bincount(cell, weights=w * values, minlength=size)
            sn = np.bincount(cell, weights=values, minlength=size)
        return sw.reshape(self.n_cells, m), sn.reshape(self.n_cells, m)


@dataclass(frozen=True)
class _Part:
    variable: str
    item: str
    levels: tuple[str, ...]
    statistic: str
    exhaustive: bool


def _variable_rows(ds: Dataset, cells: _Cells, var: Variable, level: float) -> EstimateTable | None:
    col = ds[var.code]
    if var.kind is Kind.NUMERIC:
        valid = ~np.isnan(col)
    else:
        valid = col >= 0
    n_valid = int(valid.sum())
    if n_valid == 0:
        return None
    idx = None if n_valid == col.size else np.flatnonzero(valid)
    sel = col if idx is None else col[idx]
    base_w, base_n = cells.sums(idx, np.zeros(n_valid, dtype=np.int64), 1, None)
    if var.kind is Kind.CATEGORICAL:
        m = len(var.levels)
        sw, sn = cells.sums(idx, sel.astype(np.int64), m, None)
        part = _Part(var.code, var.item or var.code, var.level_codes, "proportion", True)
        sq = None
    elif var.kind is Kind.MULTI:
        sw, sn = cells.sums(idx, None, 1, sel.astype(np.float64))
        part = _Part(var.code, var.item or var.code, (var.option or "1",), "proportion", False)
        sq = None
    else:
        sw, sn = cells.sums(idx, None, 1, sel)
        sq, _ = cells.sums(idx, None, 1, sel * sel)
        sn = base_n
        part = _Part(var.code, var.item or var.code, ("",), "mean", True)
    per_cell = np.hstack([base_w, base_n, sw, sn] + ([sq] if sq is not None else []))
    dp = cells.domain_psu(per_cell)
    m = sw.shape[1]
    wv, nv = dp[:, :, 0], dp[:, :, 1]
    tw, tn = dp[:, :, 2 : 2 + m], dp[:, :, 2 + m : 2 + 2 * m]
    return _estimates(cells, part, wv, nv, tw, tn, dp[:, :, -1:] if sq is not None else None, level)


def _estimates(
    cells: _Cells,
    part: _Part,
    wv: FloatArray,
    nv: FloatArray,
    tw: FloatArray,
    tn: FloatArray,
    tsq: FloatArray | None,
    level: float,
) -> EstimateTable:
    design = cells.design
    w_d = wv.sum(axis=1)
    n_d = np.rint(nv.sum(axis=1)).astype(np.int64)
    keep = np.flatnonzero(n_d > 0)
    wv, nv, tw, tn, w_d, n_d = wv[keep], nv[keep], tw[keep], tn[keep], w_d[keep], n_d[keep]
    if tsq is not None:
        tsq = tsq[keep]
    n_keep, m = keep.size, tw.shape[2]
    est = tw.sum(axis=1) / w_d[:, None]
    z = (tw - est[:, None, :] * wv[:, :, None]) / w_d[:, None, None]
    totals = z.transpose(1, 0, 2).reshape(cells.n_psu, n_keep * m)
    has = nv > 0
    strata = (has.astype(np.float64) @ cells.psu_in_stratum) > 0
    present = np.repeat(strata, m, axis=0)
    var = np.maximum(design.variance_from_psu_totals(totals, present), 0.0).reshape(n_keep, m)
    se = np.sqrt(var)
    degf = has.sum(axis=1) - strata.sum(axis=1)
    nn = n_d[:, None].astype(np.float64)
    if tsq is None:
        spread = est * (1.0 - est)
    else:
        spread = np.maximum(tsq.sum(axis=1) / w_d[:, None] - est**2, 0.0)
    big = n_d > 1
    s2 = np.where(big[:, None], spread * nn / np.maximum(nn - 1.0, 1.0), 0.0)
    srs = s2 / nn
    ok = srs > 0
    deff = np.full(var.shape, np.nan)
    deff[ok] = var[ok] / srs[ok]
    count = np.rint(tn.sum(axis=1)).astype(np.int64) if part.statistic == "proportion" else None
    df = np.repeat(degf, m)
    flat_n = np.repeat(n_d, m)
    flat_est, flat_se = est.ravel(), se.ravel()
    if part.statistic == "proportion":
        flat_count = count.ravel() if count is not None else flat_n
        flat_est, flat_se = exact_edges(flat_est, flat_se, flat_count, flat_n)
        lo, hi = prop_ci(flat_est, flat_se, df, flat_n, level)
    else:
        lo, hi = mean_ci(est.ravel(), se.ravel(), df, level)
        flat_count = flat_n
    doms = [cells.domains[d] for d in keep]
    size = n_keep * m
    return EstimateTable.from_columns(
        {
            "item": np.full(size, part.item),
            "variable": np.full(size, part.variable),
            "level": np.tile(np.asarray(part.levels), n_keep),
            "statistic": np.full(size, part.statistic),
            "by": np.repeat(np.asarray([d[0] for d in doms]), m),
            "domain": np.repeat(np.asarray([d[1] for d in doms]), m),
            "n": flat_n,
            "count": flat_count,
            "estimate": flat_est,
            "se": flat_se,
            "ci_l": lo,
            "ci_u": hi,
            "deff": deff.ravel(),
            "df": df,
            "exhaustive": np.full(size, part.exhaustive),
        },
        level,
    )
