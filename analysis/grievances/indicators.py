"""Grievance indicators per respondent: closed-item rules + classified open answers.

``values`` (respondents x codes, in the taxonomy's order) is 1 when the respondent names
the grievance in either source, 0 when a source could tell and neither names it, NaN when
neither source could tell (no rule could be evaluated and no open answer was written).

* **closed** — the taxonomy's rules on closed items (J1 and the mapped likert items, see
  :func:`~analysis.grievances.taxonomy.closed_indicators`);
* **text** — the open answers (default: J1's "other, specify" text, K1 and K2) classified
  into the ranked codes (:class:`~analysis.text.classify.TextClassifier`); a respondent
  who wrote any of them is 0/1 for every ranked code (「无」 counts: it says there is
  nothing to add), NaN otherwise; codes that are not ranked (G00) take no text value.

``text_scores`` keep each respondent's best classifier score per code and
``text_source`` which item it came from (for quotes); ``unclassified`` marks written
answers that say something but got no code (material for emerging themes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from instruments.messages import gettext_noop

from ..dataset import Dataset
from ..errors import AnalysisError
from ..text.classify import TextClassifier
from .classifier import default_classifier
from .taxonomy import Taxonomy, closed_indicators, load_taxonomy

__all__ = ["DEFAULT_TEXT_ITEMS", "Indicators", "combine", "grievance_indicators"]

DEFAULT_TEXT_ITEMS: tuple[str, ...] = ("J1_other", "K1", "K2")


@dataclass(frozen=True, eq=False)
class Indicators:
    codes: tuple[str, ...]
    ranked: tuple[str, ...]
    values: np.ndarray
    closed: np.ndarray
    text: np.ndarray
    text_scores: np.ndarray
    text_source: np.ndarray
    text_items: tuple[str, ...]
    unclassified: np.ndarray
    missing_items: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return int(self.values.shape[0])

    def index(self, code: str) -> int:
        try:
            return self.codes.index(code)
        except ValueError:
            raise AnalysisError(gettext_noop("Unknown grievance code {code}."), code=code) from None

    def column(self, code: str) -> np.ndarray:
        return self.values[:, self.index(code)]

    def named(self) -> np.ndarray:
        """Number of ranked grievances each respondent names (NaN: none determinable)."""
        cols = [self.index(c) for c in self.ranked]
        sub = self.values[:, cols]
        known = ~np.isnan(sub).all(axis=1)
        return np.where(known, np.nansum(np.nan_to_num(sub, nan=0.0), axis=1), np.nan)


def combine(closed: np.ndarray, text: np.ndarray) -> np.ndarray:
    """1 if either source says 1, else 0 if either says 0, else NaN."""
    one = (closed == 1) | (text == 1)
    zero = (closed == 0) | (text == 0)
    return np.where(one, 1.0, np.where(zero, 0.0, np.nan))


def grievance_indicators(
    ds: Dataset,
    taxonomy: Taxonomy | None = None,
    *,
    classifier: TextClassifier | None = None,
    text_items: Sequence[str] | None = None,
    use_text: bool = True,
) -> Indicators:
    """Indicators for every respondent of ``ds`` (see the module doc)."""
    tax = taxonomy or load_taxonomy()
    rules = closed_indicators(ds, tax)
    n, m = ds.n, len(tax.codes)
    items = tuple(
        t for t in (text_items if text_items is not None else DEFAULT_TEXT_ITEMS) if t in ds.texts
    )
    if text_items is not None:
        unknown = [t for t in text_items if t not in ds.texts]
        if unknown:
            raise AnalysisError(
                gettext_noop("{variable} is not a text column."), variable=", ".join(unknown)
            )
    text = np.full((n, m), np.nan)
    scores = np.full((n, m), np.nan)
    source = np.full((n, m), -1, dtype=np.int16)
    unclassified = np.zeros((n, len(items)), dtype=bool)
    if use_text and items:
        clf = classifier or default_classifier(tax)
        col = {c: j for j, c in enumerate(tax.codes)}
        cols = np.array([col[c] for c in clf.codes if c in col])
        kept = [k for k, c in enumerate(clf.codes) if c in col]
        for s, item in enumerate(items):
            column = ds.text(item)
            rows = np.flatnonzero(~column.missing)
            if rows.size == 0:
                continue
            res = clf.classify(column.take(rows))
            sc = res.scores[:, kept]
            hit = res.assigned[:, kept].astype(np.float64)
            block_t = text[np.ix_(rows, cols)]
            text[np.ix_(rows, cols)] = np.fmax(np.nan_to_num(block_t, nan=0.0), hit)
            block_s = scores[np.ix_(rows, cols)]
            better = np.isnan(block_s) | (sc > block_s)
            scores[np.ix_(rows, cols)] = np.where(better, sc, block_s)
            block_src = source[np.ix_(rows, cols)]
            source[np.ix_(rows, cols)] = np.where(better, s, block_src)
            unclassified[rows, s] = res.unclassified
    values = combine(rules.values, text)
    return Indicators(
        codes=tax.codes,
        ranked=tax.ranked_codes,
        values=values,
        closed=rules.values,
        text=text,
        text_scores=scores,
        text_source=source,
        text_items=items,
        unclassified=unclassified,
        missing_items=rules.missing_items,
    )
