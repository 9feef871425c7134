"""Expression checks in definitions: syntax, references, look-back rule, option literals."""

from __future__ import annotations

from typing import Any

import pytest

from instruments.logic import LogicSyntaxError
from instruments.schema import load_definition, parse_filter
from instruments.schema.choice_filter import allowed_choices
from tests.instruments.test_schema import sample, sample_definition


def only_issue(definition: dict[str, Any]) -> Any:
    instrument, issues = load_definition(definition)
    assert instrument is None
    assert len(issues) == 1, issues
    return issues[0]


def with_item(index: int, **fields: Any) -> dict[str, Any]:
    definition = sample_definition()
    definition["items"][index].update(fields)
    return definition


def test_syntax_error_reports_the_column_inside_the_expression() -> None:
    issue = only_issue(with_item(9, relevance="${B1} > > 3"))
    assert (issue.path, issue.kind, issue.position) == ("items[9].relevance", "syntax", 9)
    assert "character 9" in str(issue)


def test_unknown_reference() -> None:
    issue = only_issue(with_item(9, relevance="${B1} > 3 and ${Q9} = 1"))
    assert (issue.kind, issue.position, issue.message.params["name"]) == (
        "unknown_reference",
        15,
        "Q9",
    )


def test_relevance_may_not_look_forward_or_at_itself() -> None:
    assert only_issue(with_item(3, relevance="${C1} = 'money'")).kind == "later_reference"
    assert only_issue(with_item(3, relevance="${B1} = 1")).kind == "self_reference"


def test_group_relevance_counts_from_its_first_item() -> None:
    definition = sample_definition()
    definition["groups"][1]["relevance"] = "${B2} > 1"  # B2 is inside group B
    issue = only_issue(definition)
    assert (issue.path, issue.kind) == ("groups[1].relevance", "later_reference")


def test_constraint_may_use_current_and_own_code_but_relevance_may_not_use_current() -> None:
    ok, issues = load_definition(with_item(3, constraint=". < 100 and ${B1} >= 0"))
    assert ok is not None, issues
    issue = only_issue(with_item(3, relevance=". > 1"))
    assert (issue.kind, issue.position) == ("current_outside_constraint", 1)


def test_matrix_rows_and_other_answers_are_referable() -> None:
    ok, issues = load_definition(with_item(9, relevance="${B5_r1} = '1' or ${B3_other} != ''"))
    assert ok is not None, issues


def test_group_or_note_has_no_answer() -> None:
    assert only_issue(with_item(10, relevance="${B} = 1")).kind == "not_an_answer"


def test_literal_that_is_not_an_option_is_caught() -> None:
    issue = only_issue(with_item(9, relevance="selected(${B3}, 'mony')"))
    assert issue.kind == "unknown_option"
    assert issue.message.params == {
        "value": "mony",
        "name": "B3",
        "options": "money, work, o, none",
    }
    assert only_issue(with_item(9, relevance="${A1} = '3'")).kind == "unknown_option"
    assert only_issue(with_item(5, constraint="not(selected(., 'x'))")).kind == "unknown_option"


def test_numeric_literal_matches_numeric_choice_codes() -> None:
    ok, issues = load_definition(with_item(9, relevance="${A1} = 1 and ${B5_r1} != 5"))
    assert ok is not None, issues


def test_references_in_labels_are_checked() -> None:
    definition = sample_definition()
    definition["items"][3]["label"]["en"] = "Hours (born ${A2}, comment ${C2})"
    issue = only_issue(definition)
    assert (issue.path, issue.kind, issue.position) == ("items[3].label.en", "later_reference", 28)


def test_choice_filter_bare_names_are_choice_columns() -> None:
    definition = sample_definition()
    for choice, kind in zip(definition["choice_lists"][2]["choices"], "aabb", strict=True):
        choice["attributes"] = {"kind": kind}
    definition["items"][8]["choice_filter"] = "kind = 'a' or name = ${A1}"
    instrument, issues = load_definition(definition)
    assert instrument is not None, issues
    stress = instrument.choice_list("stress")
    assert stress is not None
    kept = allowed_choices(stress, "kind = 'a' or name = ${A1}", {"A1": "o"})
    assert [c.code for c in kept] == ["money", "work", "o"]


def test_choice_filter_unknown_column_is_reported_at_its_position() -> None:
    definition = sample_definition()
    definition["items"][8]["choice_filter"] = "pastel=yes"
    instrument, issues = load_definition(definition)
    assert instrument is None
    assert [(i.kind, i.position, i.message.params["column"]) for i in issues] == [
        ("unknown_column", 1, "pastel"),
        ("unknown_column", 8, "yes"),
    ]


@pytest.mark.parametrize(("source", "column"), [("kind = = 'a'", 8), ("kind = 'a' and ${x", 16)])
def test_choice_filter_syntax_errors_point_into_the_authors_text(source: str, column: int) -> None:
    with pytest.raises(LogicSyntaxError) as caught:
        parse_filter(source)
    assert caught.value.column == column


def test_valid_sample_has_no_expression_issues() -> None:
    assert sample().item("C2").relevance == "selected(${B3}, 'money')"
