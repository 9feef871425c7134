"""The grievance classifier: the taxonomy's lexicon + the team's labelled answers."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from ..text.classify import Lexicon, TextClassifier
from ..text.labelled import LabelledAnswer, read_labelled
from .taxonomy import Taxonomy, load_taxonomy

__all__ = ["build_classifier", "default_classifier"]

_lock = threading.Lock()
_cache: dict[str, TextClassifier] = {}


def build_classifier(
    taxonomy: Taxonomy | None = None, rows: Sequence[LabelledAnswer] | None = None
) -> TextClassifier:
    """A classifier over the taxonomy's ranked codes, trained on ``rows`` (default: every
    packaged labelled answer)."""
    tax = taxonomy or load_taxonomy()
    data = list(rows) if rows is not None else read_labelled()
    clf = TextClassifier(
        tax.ranked_codes,
        Lexicon(tax.lexicon(), tax.patterns()),
        max_codes=tax.settings.max_codes_per_answer,
    )
    return clf.fit([r.text for r in data], [r.codes for r in data])


def default_classifier(taxonomy: Taxonomy | None = None) -> TextClassifier:
    """The classifier trained on all labelled answers, built once per taxonomy file."""
    tax = taxonomy or load_taxonomy()
    key = tax.fingerprint or str(id(tax))
    with _lock:
        clf = _cache.get(key)
        if clf is None:
            clf = _cache[key] = build_classifier(tax)
    return clf
