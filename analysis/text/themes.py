"""Emerging themes: what unclassified open answers talk about (TF-IDF + NMF).

Answers that say something (not blank, not 「无」) but got no grievance code are scrubbed
(:func:`~analysis.text.scrub.scrub`, so no name or number can become a theme word),
segmented (jieba + user dictionary, stopwords, words of two or more characters) and
weighted by TF-IDF (words in at least ``min_df`` answers, no upper limit: a new topic
may well dominate the unclassified answers and its word must stay; sub-linear term
frequency). Non-negative matrix factorisation (``nndsvda`` start, fixed
seed: the same answers give the same themes) splits them into ``n_themes`` themes
(default: one per 150 answers, between 2 and 8). Each answer belongs to the theme with
its largest weight; a theme lists its top words (largest NMF loadings), its size (answers
belonging to it) and example answers (largest weights, distinct texts). Themes with fewer
than ``min_size`` answers are dropped, as small cells are everywhere (DESIGN.md §7).
"""

from __future__ import annotations

import warnings
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .clauses import is_null_answer
from .normalize import normalize
from .scrub import PLACEHOLDERS, scrub
from .segment import tokens

__all__ = ["Theme", "discover_themes"]

_PLACEHOLDER_WORDS = frozenset(p.strip("【】") for p in PLACEHOLDERS.values())
# negators and degree words matter to the classifier but name no theme
_NOT_THEME = frozenset(("没有", "不是", "没什么", "不够", "太多", "很多", "比较", "非常", "一直"))


@dataclass(frozen=True)
class Theme:
    """One emerging theme: top words, number of answers, examples (scrubbed) and the
    indices of those examples in the input."""

    terms: tuple[str, ...]
    size: int
    examples: tuple[str, ...]
    example_rows: tuple[int, ...]


def _words(text: str) -> list[str]:
    return [
        w
        for w in tokens(text)
        if len(w) > 1 and w not in _PLACEHOLDER_WORDS and w not in _NOT_THEME
    ]


def discover_themes(
    texts: Sequence[str | None],
    *,
    n_themes: int | None = None,
    top_terms: int = 8,
    examples: int = 3,
    min_size: int = 10,
    min_df: int = 3,
    units: Iterable[str] = (),
    seed: int = 0,
    max_features: int = 20_000,
    quotable: Container[int] | None = None,
) -> list[Theme]:
    """Themes of ``texts`` (typically the unclassified answers), largest first.
    ``quotable`` restricts the examples to those row indices (cells of k or more)."""
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    unit_list = tuple(units)
    rows, docs, shown = [], [], []
    for i, t in enumerate(texts):
        if t is None:
            continue
        res = scrub(t, unit_list)
        norm = normalize(res.text)
        if is_null_answer(norm):
            continue
        rows.append(i)
        docs.append(norm)
        shown.append(res.text)
    if len(docs) < max(2 * min_size, 2):
        return []
    k = n_themes if n_themes is not None else int(np.clip(len(docs) // 150, 2, 8))
    vec = TfidfVectorizer(
        analyzer=_words,
        min_df=min(min_df, max(1, len(docs) // 10)),
        sublinear_tf=True,
        max_features=max_features,
        dtype=np.float64,
    )
    try:
        x = vec.fit_transform(docs)
    except ValueError:  # no word survives the document-frequency limits
        return []
    keep = np.asarray(x.sum(axis=1)).ravel() > 0
    if keep.sum() < max(2 * min_size, 2) or x.shape[1] < 2:
        return []
    x = x[keep]
    idx = np.flatnonzero(keep)
    k = max(1, min(k, x.shape[1], x.shape[0] // 2))
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=300)
    with warnings.catch_warnings():  # an unconverged NMF still gives usable themes
        warnings.simplefilter("ignore", ConvergenceWarning)
        w = model.fit_transform(x)
    h = model.components_
    vocab = vec.get_feature_names_out()
    best = w.argmax(axis=1)
    strong = w.max(axis=1) > 0
    out = []
    for j in range(k):
        members = np.flatnonzero((best == j) & strong)
        if members.size < min_size:
            continue
        terms = tuple(str(vocab[t]) for t in np.argsort(-h[j])[:top_terms] if h[j, t] > 0)
        order = members[np.argsort(-w[members, j], kind="stable")]
        ex, ex_rows, seen = [], [], set()
        for m in order:
            text = shown[idx[m]]
            if text in seen or (quotable is not None and rows[idx[m]] not in quotable):
                continue
            seen.add(text)
            ex.append(text)
            ex_rows.append(rows[idx[m]])
            if len(ex) == examples:
                break
        out.append(Theme(terms, int(members.size), tuple(ex), tuple(ex_rows)))
    out.sort(key=lambda t: -t.size)
    return out
