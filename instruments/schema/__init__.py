"""Questionnaire schema: the model, its canonical JSON form, and definition validation.

Pure Python (no Django). ``load_definition(dict)`` is how untrusted definitions come in;
``Instrument.to_dict()``/``Instrument.from_dict()`` and ``checksum()`` are also available as
methods for convenience.
"""

from __future__ import annotations

from .choice_filter import allowed_choices, parse_filter
from .issues import InvalidDefinition, ValidationIssue
from .loader import load_definition, validate_instrument
from .model import (
    CHOICE_TYPES,
    IMPLICIT_OTHER,
    LIST_TYPES,
    NUMERIC_TYPES,
    OTHER_SUFFIX,
    Choice,
    ChoiceList,
    Group,
    Instrument,
    Item,
    ItemType,
    MatrixRow,
    Page,
    Text,
)
from .serialize import SCHEMA_VERSION, canonical_json, checksum, from_dict, to_dict

__all__ = [
    "CHOICE_TYPES",
    "IMPLICIT_OTHER",
    "LIST_TYPES",
    "NUMERIC_TYPES",
    "OTHER_SUFFIX",
    "SCHEMA_VERSION",
    "Choice",
    "ChoiceList",
    "Group",
    "Instrument",
    "InvalidDefinition",
    "Item",
    "ItemType",
    "MatrixRow",
    "Page",
    "Text",
    "ValidationIssue",
    "allowed_choices",
    "canonical_json",
    "checksum",
    "from_dict",
    "load_definition",
    "parse_filter",
    "to_dict",
    "validate_instrument",
]
