"""``load_definition``: the single entry point that turns untrusted JSON into an Instrument."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .checks import check_structure, group_spans
from .expressions import check_expressions
from .issues import ValidationIssue
from .model import Instrument
from .serialize import build_with_index, remap_path


def load_definition(data: Mapping[str, Any]) -> tuple[Instrument | None, list[ValidationIssue]]:
    """Validate everything; the Instrument is returned only when there is no issue at all.

    Malformed parts are skipped and reported, and the rest is still checked, so one call
    lists every problem. Paths always index into ``data`` as given.
    """
    instrument, issues, index_maps = build_with_index(data)
    if instrument is None:
        return None, issues
    for issue in validate_instrument(instrument):
        path = remap_path(issue.path, index_maps) if issue.path else issue.path
        issues.append(replace(issue, path=path))
    return (None if issues else instrument), issues


def validate_instrument(instrument: Instrument) -> list[ValidationIssue]:
    """All consistency problems of an already built Instrument (e.g. one made in code)."""
    issues = check_structure(instrument)
    issues += check_expressions(instrument, group_spans(instrument))
    return issues
