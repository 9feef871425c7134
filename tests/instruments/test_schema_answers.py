"""The pure answer validator (instruments.validation) used by the respondent form."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instruments.schema import load_definition
from instruments.validation import (
    ABOVE_MAX,
    BELOW_MIN,
    CONSTRAINT_FAILED,
    EXCLUSIVE,
    NOT_A_SELECTION,
    NOT_AN_OPTION,
    NOT_DATE,
    NOT_INTEGER,
    NOT_YEAR,
    REQUIRED,
    SPECIFY_OTHER,
    SPECIFY_OTHER_PLAIN,
    TOO_FEW_CHOSEN,
    TOO_LONG,
    TOO_MANY_CHOSEN,
    TOO_MANY_RANKED,
    validate_answers,
    visible_items,
)
from tests.instruments.test_schema import sample, sample_definition

BASE = {"A1": "1", "A2": 1980, "B5_r1": "2", "B5_r2": "3"}


def errors(answers: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    return {code: msg.msgid for code, msg in validate_answers(sample(), answers, **kwargs).items()}


def test_complete_valid_answers_pass() -> None:
    answers = {
        **BASE, "A3": "senior", "B1": 45, "B2": 12.5, "B3": ["money", "work"], "B4": "4",
        "C1": ["work", "money"], "C2": "多一些经费", "C3": "2024-02-29",
    }  # fmt: skip
    assert errors(answers) == {}


def test_required_only_when_relevant() -> None:
    # Without a birth year group B's relevance (${A2} >= 1950) is false, so B is not asked.
    assert errors({}) == {"A1": REQUIRED, "A2": REQUIRED}
    assert errors({"A1": "1", "A2": 1990}) == {"B5_r1": REQUIRED, "B5_r2": REQUIRED}
    # Born 1945 hides group B (relevance ${A2} >= 1950), so its required matrix is not asked.
    assert errors({"A1": "1", "A2": 1945}) == {}


def test_answers_on_hidden_items_do_not_steer_later_logic() -> None:
    instrument = sample()
    answers = {**BASE, "A2": 1945, "B3": ["money"], "B1": 50}
    shown = [item.code for item in visible_items(instrument, answers)]
    assert "B4" not in shown and "C2" not in shown  # B3/B1 are hidden, so they count as empty
    assert "C1" in shown


@pytest.mark.parametrize(
    ("answers", "code", "msgid"),
    [
        ({"A1": "9"}, "A1", NOT_AN_OPTION),
        ({"A1": 1}, "A1", NOT_AN_OPTION),
        ({"A2": 1939}, "A2", BELOW_MIN),
        ({"A2": "19x0"}, "A2", NOT_YEAR),
        ({"A2": 85}, "A2", NOT_YEAR),
        ({"B1": 121}, "B1", ABOVE_MAX),
        ({"B1": 4.5}, "B1", NOT_INTEGER),
        ({"B1": True}, "B1", NOT_INTEGER),
        ({"B3": "money"}, "B3", NOT_A_SELECTION),
        ({"B3": ["money", "none"]}, "B3", EXCLUSIVE),
        ({"B3": ["money", "money"]}, "B3", "'{value}' is chosen more than once"),
        ({"B3": ["money", "work", "o", "none"]}, "B3", TOO_MANY_CHOSEN),
        ({"B3": ["o"]}, "B3_other", SPECIFY_OTHER),
        ({"A3": "other"}, "A3_other", SPECIFY_OTHER_PLAIN),
        ({"C1": ["money", "work", "o"]}, "C1", TOO_MANY_RANKED),
        ({"C2": "x" * 2001, "B3": ["money"]}, "C2", TOO_LONG),
        ({"C3": "2023-02-29"}, "C3", NOT_DATE),
        ({"C3": "29/02/2024"}, "C3", NOT_DATE),
        ({"B5_r1": "6"}, "B5_r1", NOT_AN_OPTION),
    ],
)
def test_type_and_range_checks(answers: dict[str, Any], code: str, msgid: str) -> None:
    assert errors({**BASE, **answers})[code] == msgid


def test_min_selections() -> None:
    definition = sample_definition()
    definition["items"][5]["min_choices"] = 2
    instrument, _ = load_definition(definition)
    assert instrument is not None
    found = validate_answers(instrument, {**BASE, "B3": ["money"]})
    assert found["B3"].msgid == TOO_FEW_CHOSEN


def test_digits_as_text_are_accepted_for_numbers() -> None:
    assert errors({**BASE, "A2": "1980", "B1": " 40 ", "B2": "12.5"}) == {}


def test_constraint_message_in_requested_language_with_answers_filled_in() -> None:
    definition = sample_definition()
    definition["items"][3]["constraint"] = ". <= 100"
    definition["items"][3]["constraint_message"] = {"zh-hans": "不能超过100（出生${A2}）",
                                                    "en": "At most 100 (born ${A2})"}  # fmt: skip
    instrument, _ = load_definition(definition)
    assert instrument is not None
    found = validate_answers(instrument, {**BASE, "B1": 110}, language="en")
    assert str(found["B1"]) == "At most 100 (born 1980)"
    zh = validate_answers(instrument, {**BASE, "B1": 110})
    assert str(zh["B1"]) == "不能超过100（出生1980）"


def test_constraint_without_message_uses_generic_text() -> None:
    definition = sample_definition()
    definition["items"][4]["constraint"] = ". != 13"
    instrument, _ = load_definition(definition)
    assert instrument is not None
    assert validate_answers(instrument, {**BASE, "B2": 13})["B2"].msgid == CONSTRAINT_FAILED


def test_page_limits_the_check() -> None:
    assert errors({}, page="A") == {"A1": REQUIRED, "A2": REQUIRED}
    assert errors({"A2": 1990}, page="B5") == {"B5_r1": REQUIRED, "B5_r2": REQUIRED}
    with pytest.raises(ValueError, match="unknown page"):
        errors({}, page="nope")


def test_choice_filter_limits_options() -> None:
    definition = sample_definition()
    for choice, kind in zip(definition["choice_lists"][2]["choices"], "abab", strict=True):
        choice["attributes"] = {"kind": kind}
    definition["items"][8]["choice_filter"] = "kind = 'a'"
    instrument, _ = load_definition(definition)
    assert instrument is not None
    found = validate_answers(instrument, {**BASE, "C1": ["money", "work"]})
    assert found["C1"].params == {"value": "work"}


answer_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=5),
    st.lists(st.text(max_size=3), max_size=3), st.dictionaries(st.text(max_size=2), st.integers()),
)  # fmt: skip


@given(st.dictionaries(st.sampled_from((*sample().answer_codes(), "junk")), answer_values))
def test_validator_never_raises_on_arbitrary_answers(answers: dict[str, Any]) -> None:
    result = validate_answers(sample(), answers)
    assert all(code in sample().answer_codes() for code in result)
