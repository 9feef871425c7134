"""Classification of open answers into grievance codes: lexicon + linear model.

Each answer is normalised (:func:`~analysis.text.normalize.normalize`), split into
weighted clauses (:mod:`~analysis.text.clauses`: contrast, concession, denial, negation)
and scored per code from two sources:

* the **model** — one logistic regression per code (one-vs-rest, balanced class weights)
  on TF-IDF features of the answer: jieba words (user dictionary, stopwords removed) and
  character 2- and 3-grams. Features are collected per clause and added up with the
  clause weights, so a concessive clause counts 0.4 and a denial clause not at all; the
  sum is weighted by IDF and L2-normalised. Probability ``p``.
* the **lexicon** — ``h`` = the largest weight of a clause holding an un-negated lexicon
  term (or pattern) of the code: 1 for a main clause, 0.4 for a concessive one, 0 else.

The score is ``p + LEXICON_WEIGHT * h`` (0.7); an answer gets the codes whose score reaches
``THRESHOLD`` (0.6), best first, at most ``max_codes`` (3). Both constants and the
regularisation ``c`` were chosen by 5-fold cross-validation on the training part of the
labelled answers only (macro F1 0.852 against 0.843 for 0.5/0.5). A lexicon term in a main clause
thus assigns its code on its own; the model adds codes for wordings no list foresees and
can carry a concessive mention over the line when it agrees. Empty answers and answers
that say nothing (「无」「没有意见」「谢谢」, see
:func:`~analysis.text.clauses.is_null_answer`) get no code and count as ``blank``.

The model trains in well under a second on a few hundred labelled answers, so it is
trained when first needed (see :func:`analysis.grievances.default_classifier`) rather
than stored as a binary. scikit-learn is imported on first use only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from instruments.messages import gettext_noop

from ..errors import AnalysisError
from .clauses import Clause, analyse_clauses, is_null_answer
from .normalize import MAX_CHARS, normalize
from .segment import tokens

__all__ = [
    "LEXICON_WEIGHT",
    "THRESHOLD",
    "Classification",
    "Lexicon",
    "TextAnalysis",
    "TextClassifier",
]

LEXICON_WEIGHT = 0.7
THRESHOLD = 0.6
_NONWORD = re.compile(r"[\s\W_]+")


#: Distinct clauses remembered (per lexicon / by the segmenter) before starting afresh.
_CACHE_SIZE = 200_000


class Lexicon:
    """Terms and regular expressions per code, matched on normalised text.

    Terms are found wherever they start, overlapping ones included (one regex with a
    lookahead alternation, longest term first); a match lying inside a longer match of
    another term is dropped (「预算编制」 is a fund-management term, not 「编制」 staffing),
    and of two partly overlapping matches of different codes the one starting first wins
    (「房贷压力太大」: the modifier names the topic, 房贷, not 压力太大).
    Latin and digit terms (funding, 996) match whole words only. A term listed under
    several codes counts for each.
    """

    def __init__(
        self,
        terms: Mapping[str, Iterable[str]],
        patterns: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.codes_of: dict[str, tuple[str, ...]] = {}
        for code, words in terms.items():
            for word in words:
                key = normalize(word)
                if key and code not in self.codes_of.get(key, ()):
                    self.codes_of[key] = (*self.codes_of.get(key, ()), code)
        cjk = [w for w in self.codes_of if not w.isascii()]
        latin = sorted((w for w in self.codes_of if w.isascii()), key=lambda w: (-len(w), w))
        parts = [_trie(cjk)] if cjk else []
        if latin:
            parts.append("(?<![a-z0-9])(?:" + "|".join(map(re.escape, latin)) + ")(?![a-z0-9])")
        self._terms = re.compile("(?=(" + "|".join(parts) + "))") if parts else None
        self._patterns: list[tuple[str, re.Pattern[str]]] = []
        for code, pats in (patterns or {}).items():
            for pat in pats:
                try:
                    self._patterns.append((code, re.compile(pat)))
                except re.error as exc:
                    raise AnalysisError(
                        gettext_noop("Invalid pattern {pattern} for {code}: {error}."),
                        pattern=pat,
                        code=code,
                        error=str(exc),
                    ) from None

    def __call__(self, clause: str) -> list[tuple[str, str, int]]:
        """``(code, matched text, start)`` of every match in ``clause``."""
        return list(self._cached(clause))

    def _cached(self, clause: str) -> tuple[tuple[str, str, int], ...]:
        # Clauses repeat across answers; the matches of one depend on nothing else.
        cache: dict[str, tuple[tuple[str, str, int], ...]] = self.__dict__.setdefault("_cache", {})
        found = cache.get(clause)
        if found is None:
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            found = cache[clause] = tuple(self._match(clause))
        return found

    def _match(self, clause: str) -> list[tuple[str, str, int]]:
        spans: list[tuple[int, int, str, tuple[str, ...]]] = []
        if self._terms is not None:
            for m in self._terms.finditer(clause):
                term = m.group(1)
                spans.append((m.start(), m.start() + len(term), term, self.codes_of[term]))
        for code, pat in self._patterns:
            spans.extend((m.start(), m.end(), m.group(), (code,)) for m in pat.finditer(clause))
        out: list[tuple[str, str, int]] = []
        for start, end, term, codes in spans:
            covered = any(
                (s <= start and end <= e and (e - s) > (end - start))
                or (s < start < e < end and not set(c) & set(codes))
                for s, e, _, c in spans
            )
            if not covered:
                out.extend((code, term, start) for code in codes)
        return out


def _trie(words: Iterable[str]) -> str:
    """One regular expression matching the longest of ``words`` at a position, built as a
    prefix tree (经费(?:不足|紧张|…)): the engine tries a few branches per character
    instead of every term, which keeps matching fast with hundreds of terms."""
    root: dict[str, Any] = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


@dataclass(frozen=True)
class TextAnalysis:
    """How one answer was read: its normalised text and weighted clauses."""

    normalized: str
    clauses: tuple[Clause, ...]
    blank: bool

    def evidence(self) -> dict[str, float]:
        """Lexicon evidence per code: the largest weight of a clause naming it."""
        out: dict[str, float] = {}
        for c in self.clauses:
            for code in c.codes:
                out[code] = max(out.get(code, 0.0), c.weight)
        return out


@dataclass(frozen=True, eq=False)
class Classification:
    """Scores (answers x codes), the assigned codes and which answers were blank."""

    codes: tuple[str, ...]
    scores: np.ndarray
    assigned: np.ndarray
    blank: np.ndarray

    def __len__(self) -> int:
        return int(self.blank.shape[0])

    @property
    def unclassified(self) -> np.ndarray:
        """Answers with something to say but no code (material for new themes)."""
        return ~self.blank & ~self.assigned.any(axis=1)

    def labels(self) -> list[tuple[str, ...]]:
        """The codes of each answer, best score first."""
        order = np.argsort(-self.scores, axis=1, kind="stable")
        out = []
        for i in range(len(self)):
            out.append(tuple(self.codes[j] for j in order[i] if self.assigned[i, j]))
        return out


class TextClassifier:
    """Lexicon + one-vs-rest logistic regression over weighted clause features."""

    def __init__(
        self,
        codes: Sequence[str],
        lexicon: Lexicon,
        *,
        max_codes: int = 3,
        threshold: float = THRESHOLD,
        lexicon_weight: float = LEXICON_WEIGHT,
        c: float = 4.0,
        max_chars: int = MAX_CHARS,
    ) -> None:
        self.codes = tuple(codes)
        self.lexicon = lexicon
        self.max_codes = max_codes
        self.threshold = threshold
        self.lexicon_weight = lexicon_weight
        self.c = c
        self.max_chars = max_chars
        self._vectorizer: Any = None
        self._idf: np.ndarray | None = None
        self._coef: np.ndarray | None = None
        self._intercept: np.ndarray | None = None
        self.n_train = 0

    # ------------------------------------------------------------------ reading ----
    def analyse(self, text: str | None) -> TextAnalysis:
        norm = normalize(text, self.max_chars)
        if is_null_answer(norm):
            return TextAnalysis(norm, (), True)
        return TextAnalysis(norm, tuple(analyse_clauses(norm, self.lexicon)), False)

    @staticmethod
    def _features(clause: str) -> list[str]:
        feats = ["w:" + t for t in tokens(clause)]
        chars = _NONWORD.sub("", clause)
        feats.extend("c:" + chars[i : i + 2] for i in range(len(chars) - 1))
        feats.extend("c:" + chars[i : i + 3] for i in range(len(chars) - 2))
        return feats

    def _prepare(self, texts: Sequence[str | None]) -> tuple[list[TextAnalysis], Any, np.ndarray]:
        """Analyses, the clause -> answer weight matrix, and lexicon evidence."""
        import scipy.sparse as sp

        analyses = [self.analyse(t) for t in texts]
        index = {c: j for j, c in enumerate(self.codes)}
        evidence = np.zeros((len(texts), len(self.codes)))
        rows, weights, clauses = [], [], []
        for i, a in enumerate(analyses):
            for c in a.clauses:
                if c.weight > 0:
                    rows.append(i)
                    weights.append(c.weight)
                    clauses.append(c.text)
            for code, w in a.evidence().items():
                j = index.get(code)
                if j is not None:
                    evidence[i, j] = w
        agg = sp.csr_matrix(
            (np.asarray(weights, dtype=np.float64), (rows, np.arange(len(rows)))),
            shape=(len(texts), len(rows)),
        )
        return analyses, (agg, clauses), evidence

    def _matrix(self, agg: Any, clauses: list[str], fit: bool) -> Any:
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.preprocessing import normalize as l2

        if fit:
            self._vectorizer = CountVectorizer(
                analyzer=self._features, binary=True, dtype=np.float64
            )
            counts = self._vectorizer.fit_transform(clauses)
            self._columns_cache: dict[str, np.ndarray] = {}
        else:
            counts = self._counts(clauses)
        x = (agg @ counts).tocsr()
        if fit:
            df = np.bincount(x.indices, minlength=x.shape[1])
            self._idf = np.log((1.0 + x.shape[0]) / (1.0 + df)) + 1.0
        assert self._idf is not None
        x = x @ _diag(self._idf)
        return l2(x, norm="l2", copy=False)

    def _counts(self, clauses: list[str]) -> Any:
        """The fitted vectorizer's binary clause x feature matrix, each distinct clause's
        columns worked out once (clauses repeat across answers)."""
        import scipy.sparse as sp

        vocab = self._vectorizer.vocabulary_
        cache: dict[str, np.ndarray] = self.__dict__.setdefault("_columns_cache", {})
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        parts = []
        for clause in clauses:
            cols = cache.get(clause)
            if cols is None:
                found = {vocab[f] for f in self._features(clause) if f in vocab}
                cols = cache[clause] = np.array(sorted(found), dtype=np.int64)
            parts.append(cols)
        indptr = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([len(c) for c in parts], out=indptr[1:])
        indices = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        data = np.ones(indices.size, dtype=np.float64)
        return sp.csr_matrix((data, indices, indptr), shape=(len(parts), len(vocab)))

    # ------------------------------------------------------------------ training ----
    def fit(self, texts: Sequence[str], labels: Sequence[Iterable[str]]) -> TextClassifier:
        """Train on answers and their codes (codes outside ``self.codes`` are ignored)."""
        from sklearn.linear_model import LogisticRegression

        if len(texts) != len(labels):
            raise AnalysisError(gettext_noop("Every training answer needs its codes."))
        _, (agg, clauses), _ = self._prepare(texts)
        if not clauses:
            raise AnalysisError(gettext_noop("The training answers have no text to learn from."))
        x = self._matrix(agg, clauses, fit=True)
        y = np.zeros((len(texts), len(self.codes)), dtype=bool)
        index = {c: j for j, c in enumerate(self.codes)}
        for i, codes in enumerate(labels):
            for code in codes:
                if code in index:
                    y[i, index[code]] = True
        coef = np.zeros((x.shape[1], len(self.codes)))
        intercept = np.full(len(self.codes), -10.0)
        for j in range(len(self.codes)):
            pos = int(y[:, j].sum())
            if pos < 2 or pos == len(texts):
                continue  # nothing to learn: the lexicon alone decides this code
            model = LogisticRegression(
                C=self.c, class_weight="balanced", solver="liblinear", max_iter=1000
            )
            model.fit(x, y[:, j])
            coef[:, j] = model.coef_[0]
            intercept[j] = model.intercept_[0]
        self._coef, self._intercept = coef, intercept
        self.n_train = len(texts)
        return self

    # ------------------------------------------------------------------ scoring ----
    def probabilities(
        self, texts: Sequence[str | None]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Model probabilities, lexicon evidence and the blank flags (answers x codes).

        Each distinct text is analysed once: open answers repeat a lot (「无」, 「没有」,
        「经费不足」), and the result of a text does not depend on the others."""
        if self._coef is None or self._intercept is None:
            raise AnalysisError(gettext_noop("The text classifier has not been trained."))
        first: dict[str | None, int] = {}
        inverse = np.fromiter(
            (first.setdefault(t, len(first)) for t in texts), dtype=np.intp, count=len(texts)
        )
        if len(first) == len(texts):
            return self._probabilities(texts)
        prob, evidence, blank = self._probabilities(list(first))
        return prob[inverse], evidence[inverse], blank[inverse]

    def _probabilities(
        self, texts: Sequence[str | None]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        assert self._coef is not None and self._intercept is not None
        analyses, (agg, clauses), evidence = self._prepare(texts)
        blank = np.fromiter((a.blank for a in analyses), dtype=bool, count=len(analyses))
        if clauses:
            x = self._matrix(agg, clauses, fit=False)
            eta = np.asarray(x @ self._coef) + self._intercept
            prob = 1.0 / (1.0 + np.exp(-np.clip(eta, -30.0, 30.0)))
            has_text = np.asarray(agg.sum(axis=1)).ravel() > 0
            prob[~has_text] = 0.0
        else:
            prob = np.zeros((len(texts), len(self.codes)))
        prob[blank] = 0.0
        return prob, evidence, blank

    def classify(self, texts: Sequence[str | None]) -> Classification:
        prob, evidence, blank = self.probabilities(texts)
        scores = prob + self.lexicon_weight * evidence
        assigned = scores >= self.threshold
        over = assigned.sum(axis=1) > self.max_codes
        if over.any():  # keep the best max_codes of those answers
            order = np.argsort(-scores[over], axis=1, kind="stable")
            keep = np.zeros_like(assigned[over])
            np.put_along_axis(keep, order[:, : self.max_codes], True, axis=1)
            assigned[over] &= keep
        return Classification(self.codes, scores, assigned, blank)

    def predict(self, texts: Sequence[str | None]) -> list[tuple[str, ...]]:
        return self.classify(texts).labels()


def _diag(values: np.ndarray) -> Any:
    import scipy.sparse as sp

    return sp.diags(values, format="csr")
