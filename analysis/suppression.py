"""Small-cell suppression: every table leaving the analysis package goes through ``suppress``.

Rules (DESIGN.md §7: default k = 10 respondents):

1. **Primary.** A cell is blanked when fewer than ``k`` respondents stand behind it: a
   proportion whose level has 1..k-1 respondents (``count``), any row whose domain base
   ``n`` is below k, a mean whose base is below k. A level nobody chose (count 0) in a
   domain of at least k respondents is not sensitive and stays published, unless
   ``zeros=True``.
2. **Complementary.** A blanked cell must not be recoverable from what is published. Per
   variable the counts form a table: rows are the whole sample and each domain of each
   breakdown, columns the levels plus the base ``n``. Its published relations are

   * within a domain, the counts of the levels add up to the base (for a single-choice
     item; the options of a multiple-choice item each have their own hidden "not chosen"
     count instead, which is sensitive too: "all but 3 chose it");
   * within a breakdown, the domains add up to the whole sample, level by level and for
     the base; respondents with no value of the breakdown (sex not given) form a hidden
     domain when there are any.

   A blanked count is recoverable exactly when it is a linear combination of published
   counts under these relations. While one is, another cell of one of its relations is
   blanked: first the smallest other level in the same domain (then the smallest other
   domain of the same level), preferring non-zero counts, the base or the whole sample
   only as a last resort. A quick pass handles relations with a single unknown
   ("subtract the others from the total"), then an exact null-space test catches
   recoveries that need several relations at once. Weighted estimates obey the same
   relations (proportions add up to 1, domains to the whole), so their cells are blanked
   with the counts.

Blanked cells lose count, estimate, se, CI and deff (NaN / -1, None in records) and
are flagged ``PRIMARY`` or ``COMPLEMENTARY``; a blanked base also blanks ``n`` on every
row of that domain. Cross-variable relations (the same respondents answering two items)
are not modelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from scipy.linalg import null_space

from instruments.messages import gettext_noop

from .errors import AnalysisError
from .table import COMPLEMENTARY, PRIMARY, PUBLISHED, EstimateTable

DEFAULT_K = 10

_HIDDEN, _EXTERNAL = 3, 4


def suppress(table: EstimateTable, k: int = DEFAULT_K, *, zeros: bool = False) -> EstimateTable:
    """Blank small cells of ``table`` and their complements (see the module doc)."""
    if int(k) != k or k < 1:
        raise AnalysisError(
            gettext_noop("The suppression threshold must be a positive whole number.")
        )
    if table.k is not None:
        if k <= table.k:
            return table
        raise AnalysisError(
            gettext_noop("This table was already suppressed with k={done}; rebuild it for k={k}."),
            done=table.k,
            k=k,
        )
    flag = np.zeros(len(table), dtype=np.int8)
    base_blank = np.zeros(len(table), dtype=bool)
    _, first, inverse = np.unique(table.variable, return_index=True, return_inverse=True)
    for g in np.argsort(first):
        rows = np.flatnonzero(inverse == g)
        f, b = _Variable(table, rows, int(k), zeros).solve()
        flag[rows], base_blank[rows] = f, b
    blank = flag != PUBLISHED
    nan = np.where(blank, np.nan, 0.0)
    return replace(
        table,
        count=np.where(blank, -1, table.count),
        n=np.where(base_blank, -1, table.n),
        estimate=table.estimate + nan,
        se=table.se + nan,
        ci_l=table.ci_l + nan,
        ci_u=table.ci_u + nan,
        deff=table.deff + nan,
        flag=flag,
        k=int(k),
    )


class _Variable:
    """The count table of one variable with its relations (rows: domains, columns:
    levels, then the base T, then the hidden "not chosen" H for yes/no options)."""

    def __init__(self, t: EstimateTable, rows: np.ndarray, k: int, zeros: bool) -> None:
        self.rows = rows
        is_prop = bool(np.all(t.statistic[rows] == "proportion"))
        keys = list(dict.fromkeys(zip(t.by[rows].tolist(), t.domain[rows].tolist(), strict=True)))
        levels = list(dict.fromkeys(t.level[rows].tolist())) if is_prop else []
        self.has_levels = is_prop
        self.exhaustive = bool(np.all(t.exhaustive[rows])) if is_prop else True
        overall = ("", "")
        if overall not in keys:
            keys.insert(0, overall)
            external = True
        else:
            keys.remove(overall)
            keys.insert(0, overall)
            external = False
        self.n_lv = len(levels)
        self.T = self.n_lv
        self.H = self.n_lv + 1 if not self.exhaustive else -1
        self.n_col = self.n_lv + 1 + (0 if self.exhaustive else 1)
        row_of = {key: i for i, key in enumerate(keys)}
        n_pub = len(keys)
        count = np.full((n_pub, self.n_col), -1, dtype=np.int64)
        status = np.full((n_pub, self.n_col), _HIDDEN, dtype=np.int8)
        self.cell_row = np.full((n_pub, self.n_col), -1, dtype=np.int64)
        lv_of = {lv: j for j, lv in enumerate(levels)}
        for i in rows:
            r = row_of[(t.by[i], t.domain[i])]
            c = lv_of[t.level[i]] if is_prop else self.T
            count[r, c] = t.count[i]
            count[r, self.T] = t.n[i]
            status[r, c] = PUBLISHED
            status[r, self.T] = PUBLISHED
            self.cell_row[r, c] = i
        if external:
            status[0, :] = _EXTERNAL
            if self.H >= 0:
                status[0, self.H] = _HIDDEN
        # primary suppression
        base = count[:, self.T]
        pub = status == PUBLISHED
        small = (count < k) if zeros else ((count > 0) & (count < k))
        small |= (base < k)[:, None]
        status[pub & small] = PRIMARY
        if self.H >= 0:  # "not chosen" = base - chosen is published implicitly
            rows_pub = status[:, self.T] != _EXTERNAL
            count[rows_pub, self.H] = base[rows_pub] - count[rows_pub, 0]
            few = rows_pub & (count[:, self.H] > 0) & (count[:, self.H] < k)
            status[few, self.H] = PRIMARY
        # domains grouped by breakdown; a hidden row where a breakdown does not cover all
        by_rows: dict[str, list[int]] = {}
        for key, r in row_of.items():
            if key != overall:
                by_rows.setdefault(key[0], []).append(r)
        extra = []
        for b, members in list(by_rows.items()):
            if external and len(members) == 1:
                del by_rows[b]  # a lone domain against an unseen total: nothing to add up
            elif not external and count[members, self.T].sum() != count[0, self.T]:
                extra.append(b)  # respondents without a value of b: a hidden domain
        self.n_row = n_pub + len(extra)
        self.count = np.vstack([count, np.full((len(extra), self.n_col), -1)])
        self.status = np.vstack([status, np.full((len(extra), self.n_col), _HIDDEN, np.int8)])
        for j, b in enumerate(extra):
            by_rows[b].append(n_pub + j)
        self.margin = np.zeros((self.n_row, self.n_col), dtype=bool)
        self.margin[0, :] = True
        self.margin[:, self.T] = True
        self.eqs = self._equations(by_rows)

    def _equations(self, by_rows: dict[str, list[int]]) -> np.ndarray:
        nc = self.n_col
        eqs = []
        if self.has_levels:
            for r in range(self.n_row):
                e = np.zeros(self.n_row * nc)
                e[r * nc : r * nc + nc] = 1.0
                e[r * nc + self.T] = -1.0
                eqs.append(e)
        for members in by_rows.values():
            for c in range(nc):
                e = np.zeros(self.n_row * nc)
                e[np.asarray(members) * nc + c] = 1.0
                e[c] = -1.0
                eqs.append(e)
        return np.array(eqs) if eqs else np.zeros((0, self.n_row * nc))

    # ------------------------------------------------------------------ solving ----
    def solve(self) -> tuple[np.ndarray, np.ndarray]:
        status = self.status.ravel()  # a view: updates go to self.status
        if np.any((status == PRIMARY) | (status == COMPLEMENTARY)):
            for _ in range(status.size + 1):
                self._single_unknowns(status)
                fixed = self._recoverable(status)
                if not fixed:
                    break
                if any(self._protect(status, j, np.flatnonzero(self.eqs[:, j])) for j in fixed):
                    continue
                # every partner of those cells is blank already: widen to any relation
                # that touches a blank cell
                near = np.flatnonzero((self.eqs[:, self._unknown(status)] != 0).any(axis=1))
                if not self._protect(status, fixed[0], near):
                    break
        pos = np.searchsorted(self.rows, self.cell_row[self.cell_row >= 0])
        r, c = np.nonzero(self.cell_row >= 0)
        flags = np.zeros(self.rows.size, dtype=np.int8)
        flags[pos] = self.status[r, c]
        base_blank = np.zeros(self.rows.size, dtype=bool)
        base_blank[pos] = np.isin(self.status[r, self.T], (PRIMARY, COMPLEMENTARY))
        return flags, base_blank

    def _unknown(self, status: np.ndarray) -> np.ndarray:
        unknown: np.ndarray = (status == PRIMARY) | (status == COMPLEMENTARY) | (status == _HIDDEN)
        return unknown

    def _single_unknowns(self, status: np.ndarray) -> None:
        """Relations with exactly one unknown cell give it away by subtraction."""
        if not self.eqs.size:
            return
        while True:
            unknown = self._unknown(status)
            hits = (self.eqs != 0) & unknown[None, :]
            single = np.flatnonzero(hits.sum(axis=1) == 1)
            changed = False
            for e in single:
                j = int(np.flatnonzero(hits[e])[0])
                if status[j] in (PRIMARY, COMPLEMENTARY) and self._protect(status, j, [e]):
                    changed = True
                    break
            if not changed:
                return

    def _recoverable(self, status: np.ndarray) -> list[int]:
        """Blanked cells fixed by the relations (zero in every null-space vector),
        smallest count first."""
        unknown = np.flatnonzero(self._unknown(status))
        if unknown.size == 0 or not self.eqs.size:
            return []
        sub = self.eqs[:, unknown]
        sub = sub[np.any(sub != 0, axis=1)]
        if sub.shape[0] == 0:
            return []
        basis = null_space(sub)
        norms = np.sqrt((basis**2).sum(axis=1)) if basis.size else np.zeros(unknown.size)
        fixed = unknown[(norms < 1e-9) & np.isin(status[unknown], (PRIMARY, COMPLEMENTARY))]
        return [int(j) for j in fixed[np.argsort(self.count.ravel()[fixed], kind="stable")]]

    def _protect(
        self, status: np.ndarray, j: int, eqs: Sequence[int | np.integer[Any]] | np.ndarray
    ) -> bool:
        """Blank the best published partner of cell ``j`` in relations ``eqs``."""
        cand = np.unique(np.concatenate([np.flatnonzero(self.eqs[e]) for e in eqs]))
        cand = cand[(status[cand] == PUBLISHED) & (cand != j)]
        if cand.size == 0:
            return False
        cnt = self.count.ravel()[cand]
        order = np.lexsort((cand, cnt, cnt == 0, self.margin.ravel()[cand]))
        status[cand[order[0]]] = COMPLEMENTARY
        return True
