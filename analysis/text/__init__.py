"""The Chinese open-answer pipeline (no Django): normalise, segment, read clauses
(contrast, concession, denial, negation), classify into codes, scrub personal data,
find emerging themes.

* :func:`normalize` — NFKC, traditional -> simplified, punctuation, emoji;
* :func:`tokens` / :func:`segment` — jieba with the domain user dictionary, stopwords;
* :func:`analyse_clauses` — weighted clauses;
* :class:`TextClassifier` with :class:`Lexicon` — codes per answer (see
  :func:`analysis.grievances.default_classifier` for the trained one);
* :func:`scrub` / :func:`quotable` — personal data out before anyone reads a quote;
* :func:`discover_themes` — TF-IDF + NMF over unclassified answers.
"""

from .classify import Classification, Lexicon, TextAnalysis, TextClassifier
from .clauses import Clause, Hit, analyse_clauses, is_null_answer
from .labelled import LabelledAnswer, held_out, read_labelled, split_labelled
from .normalize import is_blank, normalize, to_halfwidth
from .scrub import KINDS, PLACEHOLDERS, Quote, ScrubResult, Span, quotable, scrub
from .segment import segment, tokens
from .themes import Theme, discover_themes

__all__ = [
    "KINDS",
    "PLACEHOLDERS",
    "Classification",
    "Clause",
    "Hit",
    "LabelledAnswer",
    "Lexicon",
    "Quote",
    "ScrubResult",
    "Span",
    "TextAnalysis",
    "TextClassifier",
    "Theme",
    "analyse_clauses",
    "discover_themes",
    "held_out",
    "is_blank",
    "is_null_answer",
    "normalize",
    "quotable",
    "read_labelled",
    "scrub",
    "segment",
    "split_labelled",
    "to_halfwidth",
    "tokens",
]
