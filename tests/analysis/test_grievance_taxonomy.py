"""The grievance taxonomy file: loading, validation naming the line, rule evaluation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from analysis import AnalysisError, dataset_from_answers
from analysis.grievances import (
    CODES,
    TaxonomyError,
    closed_indicators,
    load_taxonomy,
    parse_taxonomy,
    validate_taxonomy,
)
from analysis.grievances.taxonomy import default_path
from instruments.standard import load_standard


@pytest.fixture(scope="module")
def text() -> str:
    return default_path().read_text("utf-8")


def _line_of(text: str, needle: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


def test_packaged_taxonomy_is_complete() -> None:
    tax = load_taxonomy()
    assert tax.version == "2026.1" and tax.instrument == "st_worker_status"
    assert tax.codes == CODES and tax.ranked_codes == CODES[:16]
    for g in tax.grievances:
        for field in (g.label, g.description, g.policy_area, g.suggested_action):
            assert set(field) == {"zh-hans", "en"} and all(field.values())
        assert g.rules, g.code
        assert g.code == "G00" or len(g.lexicon) >= 20
    assert tax["G03"].label["zh-hans"].startswith("考核评价体系不合理")
    assert tax.settings.local_top == 5 and tax.settings.breadth_threshold == 0.2
    assert load_taxonomy() is tax  # cached
    assert load_taxonomy(default_path()).fingerprint == tax.fingerprint
    with pytest.raises(AnalysisError, match="Unknown grievance code G99"):
        tax["G99"]


def _issues(text: str) -> list[tuple[int, str]]:
    return [(i.line, i.render()) for i in validate_taxonomy(text)]


def test_unknown_code_names_its_line(text) -> None:
    bad = text.replace("  G15:\n", "  G17:\n", 1)
    issues = _issues(bad)
    line = _line_of(bad, "  G17:")
    assert (
        line,
        f"line {line}: Unknown grievance code G17: the codes are fixed, G00–G16.",
    ) in issues
    # and the taxonomy now lacks G15
    assert any("lacks G15" in msg for _, msg in issues)
    with pytest.raises(TaxonomyError, match=f"line {line}: Unknown grievance code G17") as exc:
        parse_taxonomy(bad)
    assert exc.value.issues[0].line == line


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("{item: D1, op: in,", "{item: D9, op: in,", "Unknown item D9 in a rule of G03"),
        ('{item: B1, op: ">=", value: 60}', '{item: B1, op: "=>", value: 60}', "Bad operator =>"),
        (
            '{item: B1, op: ">=", value: 60}',
            '{item: B1, op: ">=", value: sixty}',
            "Threshold of the wrong type: B1 is a number item",
        ),
        (
            '{item: D1, op: in, value: ["4", "5"]}',
            '{item: D1, op: in, value: ["4", "7"]}',
            "unknown choice code '7' for D1",
        ),
        (
            '{item: G2, op: in, value: ["1"]}',
            '{item: G2, op: ">=", value: high}',
            "needs a numeric choice code",
        ),
        ("{item: J1, chosen: [G05]}", "{item: J1, chosen: [G55]}", "Unknown option G55 of J1"),
        (
            '{item: E5, chosen: ["1"]}',
            '{item: E5, op: in, value: ["1"]}',
            "E5 is a multiple-choice",
        ),
        ("{item: J1, chosen: [G06]}", "{item: J1, choose: [G06]}", "Bad rule in G06"),
        (
            '{item: B8, op: in, value: ["1"]}',
            '{item: D2, op: in, value: ["1"]}',
            "name one of D2_r1",
        ),
    ],
)
def test_bad_rules_name_their_line(text, old, new, message) -> None:
    head, body = text.split("\ncodes:\n", 1)  # the header comments show rules too
    assert old in body
    bad = head + "\ncodes:\n" + body.replace(old, new, 1)
    issues = _issues(bad)
    assert len(issues) == 1, issues
    line, rendered = issues[0]
    assert line == _line_of(bad, new, after="\ncodes:\n")
    assert message in rendered and rendered.startswith(f"line {line}: ")
    with pytest.raises(TaxonomyError, match=f"line {line}"):
        parse_taxonomy(bad)


def test_missing_translation_and_unknown_keys(text) -> None:
    bad = text.replace("      en: Low pay and benefits\n", "", 1)
    ((line, msg),) = _issues(bad)
    assert line == _line_of(bad, "    label:", after="  G04:")
    assert "Missing translation: label of G04 has no en" in msg
    bad = text.replace("      en: Low pay and benefits", "      en: ''", 1)
    ((line, msg),) = _issues(bad)
    assert line == _line_of(bad, "      en: ''") and "is empty" in msg
    bad = text.replace("    lexicon: [报销,", "    lexicn: [报销,", 1)
    ((line, msg),) = _issues(bad)
    assert line == _line_of(bad, "lexicn") and "Unknown key lexicn in G02" in msg


def test_structure_errors(text) -> None:
    bad = text.replace('version: "2026.1"\n', "", 1)
    assert any("needs a version" in m for _, m in _issues(bad))
    bad = text.replace("  G05:\n", "  G04:\n", 1)
    issues = _issues(bad)
    assert any("G04 appears twice in codes (first on line" in m for _, m in issues)
    bad = text.replace("  local_top: 5 ", "  local_top: 2.5 ", 1)
    ((line, msg),) = _issues(bad)
    assert line == _line_of(bad, "local_top: 2.5") and "whole number between 1 and 16" in msg
    bad = text.replace("codes:\n", "codes:\n  - oops\n", 1)
    assert _issues(bad)  # a list where a mapping belongs: YAML or structure error, with a line
    ((line, msg),) = _issues("version: 1\ncodes: {G01: [unclosed\n")
    assert line >= 1 and "YAML syntax error" in msg
    assert _issues("")[0][1] == "The file is empty."
    bad = text.replace("    patterns:\n      - '经费", "    patterns:\n      - '(经费", 1)
    ((line, msg),) = _issues(bad)
    assert "Invalid regular expression" in msg and line == _line_of(bad, "- '(经费")


def test_load_taxonomy_from_a_path_reports_the_file(tmp_path: Path, text) -> None:
    p = tmp_path / "tax.yaml"
    p.write_text(text.replace("  G15:\n", "  G17:\n", 1), "utf-8")
    with pytest.raises(TaxonomyError, match=f"taxonomy {p} is invalid: line"):
        load_taxonomy(p)
    with pytest.raises(AnalysisError, match="Cannot read"):
        load_taxonomy(tmp_path / "missing.yaml")
    p.write_text(text.replace('version: "2026.1"', 'version: "2026.2-local"', 1), "utf-8")
    assert load_taxonomy(p).version == "2026.2-local"


# ------------------------------------------------------------------ evaluation ----
def _dataset(rows: list[dict]) -> object:
    meta = {"station": [f"s{i % 2}" for i in range(len(rows))]}
    return dataset_from_answers(load_standard(), rows, meta)


def test_rules_on_a_dataset() -> None:
    tax = load_taxonomy()
    rows = [
        {"J1": ["G01", "G05"], "D1": "4", "B1": 40, "G2": "3"},  # G01 G05 by J1; G03 by D1
        {"J1": ["G02"], "D1": "2", "B1": 62, "G2": "3"},  # G05 by hours
        {"J1": ["G02"], "D1": "1", "B1": 40, "G2": "1"},  # G05 by stress
        {"D1": "5"},  # J1 unanswered: G03 known (1), G15 unknown
        {"J1": ["G10"], "F4": ["9"], "F3": 0},  # G10 by J1 and by the all-group
        {"J1": ["G04"], "F4": ["9"], "F3": 0},  # G10 by the all-group only
        {"J1": ["G04"], "F4": ["9"], "F3": 2},  # trained: no G10
        {"J1": ["G04"], "F4": ["1"]},  # group false (F4) although F3 missing
        {},  # nothing known at all
    ]
    ind = closed_indicators(_dataset(rows), tax)
    v = ind.values
    col = {c: j for j, c in enumerate(ind.codes)}
    assert v[0, col["G01"]] == 1 and v[0, col["G05"]] == 1 and v[0, col["G03"]] == 1
    assert v[0, col["G02"]] == 0
    assert v[1, col["G05"]] == 1 and v[1, col["G03"]] == 0
    assert v[2, col["G05"]] == 1
    assert v[3, col["G03"]] == 1 and np.isnan(v[3, col["G15"]])
    assert v[4, col["G10"]] == 1 and v[5, col["G10"]] == 1
    assert v[6, col["G10"]] == 0 and v[7, col["G10"]] == 0
    assert np.isnan(v[8]).all()
    assert ind.missing_items == ()


def test_rules_on_a_dataset_without_the_items() -> None:
    """A quick survey without some items: those rules are unknown, listed as missing."""
    std = load_standard()
    keep = tuple(it for it in std.items if it.code in ("J1", "K1", "A1"))
    small = dataclasses.replace(std, items=keep)
    ds = dataset_from_answers(small, [{"J1": ["G03"]}, {"J1": ["G05"]}], {"station": ["a", "b"]})
    ind = closed_indicators(ds, load_taxonomy())
    assert "D1" in ind.missing_items and "B1" in ind.missing_items
    col = {c: j for j, c in enumerate(ind.codes)}
    assert ind.values[0, col["G03"]] == 1 and ind.values[1, col["G03"]] == 0
