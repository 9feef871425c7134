"""Common grievances (共性诉求, issue 7): taxonomy, indicators, aggregation. No Django.

Flow: :func:`load_taxonomy` (the versioned YAML, validated) ->
:func:`grievance_indicators` (closed-item rules + classified open answers, one row per
respondent) -> :func:`grievance_table` (prevalence, intensity, breadth, change, hotspots,
model, quotes, emerging themes; suppressed) -> :class:`GrievanceTable` (JSON via
``to_dict``/``from_dict``). The text side lives in :mod:`analysis.text`.
"""

from .aggregate import HOTSPOT_BY, MODEL_TERMS, grievance_table, indicator_dataset
from .classifier import build_classifier, default_classifier
from .indicators import DEFAULT_TEXT_ITEMS, Indicators, combine, grievance_indicators
from .table import (
    Change,
    GrievanceRow,
    GrievanceTable,
    Hotspot,
    ModelSummary,
    OddsRatio,
    QuoteRow,
    ThemeRow,
)
from .taxonomy import (
    CODES,
    Condition,
    Grievance,
    Group,
    RuleIndicators,
    Settings,
    Taxonomy,
    TaxonomyError,
    TaxonomyIssue,
    closed_indicators,
    load_taxonomy,
    parse_taxonomy,
    validate_taxonomy,
)

__all__ = [
    "CODES",
    "DEFAULT_TEXT_ITEMS",
    "HOTSPOT_BY",
    "MODEL_TERMS",
    "Change",
    "Condition",
    "Grievance",
    "GrievanceRow",
    "GrievanceTable",
    "Group",
    "Hotspot",
    "Indicators",
    "ModelSummary",
    "OddsRatio",
    "QuoteRow",
    "RuleIndicators",
    "Settings",
    "Taxonomy",
    "TaxonomyError",
    "TaxonomyIssue",
    "ThemeRow",
    "build_classifier",
    "closed_indicators",
    "combine",
    "default_classifier",
    "grievance_indicators",
    "grievance_table",
    "indicator_dataset",
    "load_taxonomy",
    "parse_taxonomy",
    "validate_taxonomy",
]
