"""``load_definition``: the single entry point that turns untrusted JSON into an Instrument."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from instruments.messages import Message, gettext_noop
from instruments.text import value_problem

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
    invalid = invalid_text_issues(data)
    if invalid:
        # Checked before anything is built: a lone surrogate cannot even be printed in
        # the other messages, and such a definition must never reach the database.
        return None, invalid
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


INVALID_TEXT = gettext_noop(
    "This text contains a character that is never valid text (a NUL, a lone surrogate "
    "or a Unicode non-character)"
)


def invalid_text_issues(data: Any, path: str = "") -> list[ValidationIssue]:
    """One issue per string (key or value) of ``data`` holding an invalid code point
    (:mod:`instruments.text`), located by its JSON path."""
    return [
        ValidationIssue(Message(INVALID_TEXT), kind="invalid_text", path=where or None)
        for where in _invalid_paths(data, path)
    ]


def _invalid_paths(data: Any, path: str) -> Iterator[str]:
    if isinstance(data, Mapping):
        for key, value in data.items():
            inner = f"{path}.{key}" if path else str(key)
            if value_problem(key) is not None:
                yield path  # the key itself cannot be printed in a path
            else:
                yield from _invalid_paths(value, inner)
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            yield from _invalid_paths(value, f"{path}[{index}]")
    elif value_problem(data) is not None:
        yield path
