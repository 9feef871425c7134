"""Text that is never valid (instruments.text) is refused by the pure validation layer,
the questionnaire loader and the form rendering, whatever path the text came by."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from instruments.rendering import render_pages
from instruments.schema import load_definition
from instruments.text import (
    LONG_TEXT_LENGTH,
    MAX_STORED_TEXT_LENGTH,
    SHORT_TEXT_LENGTH,
    stored_value_ok,
    text_limit,
    text_problem,
    value_problem,
    without_invalid_text,
)
from instruments.validation import INVALID_TEXT, TOO_LONG, validate_answers
from tests.instruments.test_schema import sample, sample_definition

BASE = {"A1": "1", "A2": 1980, "B5_r1": "2", "B5_r2": "3"}
#: One of each kind, and where it hides in a string.
BAD = {
    "lone high surrogate": "工\ud800",
    "lone low surrogate": "\udc00工",
    "NUL": "a\x00b",
    "U+FFFE": "\ufffe",
    "U+FFFF": "x\uffff",
    "U+FDD0": "\ufdd0",
    "U+FDEF": "\ufdef",
    "U+1FFFF": "\U0001ffff",
    "U+10FFFE": "\U0010fffe",
}


def errors(answers: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    return {code: msg.msgid for code, msg in validate_answers(sample(), answers, **kwargs).items()}


@pytest.mark.parametrize("text", BAD.values(), ids=list(BAD))
def test_every_kind_is_found(text: str) -> None:
    assert text_problem(text) is not None
    assert value_problem({"K": [text]}) is not None and value_problem({text: "ok"}) is not None
    assert not stored_value_ok({"K1": text})


@pytest.mark.parametrize("text", ["工资", "😀", "𠜎", "\ufffd", "\ufdcf\ufdf0", "\U0001fffd"])
def test_real_text_passes(text: str) -> None:
    assert text_problem(text) is None and stored_value_ok({"K1": text})


@pytest.mark.parametrize("text", BAD.values(), ids=list(BAD))
@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({"C2": "{}", "B3": ["money"]}, "C2"),  # a long text item
        ({"A1": "{}"}, "A1"),  # a single choice: the message must not quote the value
        ({"B3": ["money", "{}"]}, "B3"),  # a selection
        ({"B5_r1": "{}"}, "B5_r1"),  # a matrix row
        ({"A3": "other", "A3_other": "{}"}, "A3_other"),  # "please specify"
        ({"A3": "1", "A3_other": "{}"}, "A3_other"),  # specified although not chosen
        ({"A2": "{}"}, "A2"),  # a number typed with junk
    ],
)
def test_validation_refuses_it_in_any_answer(text: str, answers: dict[str, Any], code: str):
    filled = {key: _fill(value, text) for key, value in answers.items()}
    problems = validate_answers(sample(), {**BASE, **filled}, language="en")
    assert problems[code].msgid == INVALID_TEXT
    rendered = problems[code].render()
    assert text not in rendered
    rendered.encode("utf-8")  # printable in any reply


def _fill(value: Any, text: str) -> Any:
    """``value`` with the placeholder ``{}`` replaced by ``text``."""
    if isinstance(value, list):
        return [_fill(v, text) for v in value]
    return text if value == "{}" else value


def test_limits_of_text_items() -> None:
    assert text_limit(False, None) == SHORT_TEXT_LENGTH == 200
    assert text_limit(True, None) == LONG_TEXT_LENGTH == 2000
    assert text_limit(True, 500) == 500
    assert text_limit(False, 10**9) == MAX_STORED_TEXT_LENGTH
    ok = {**BASE, "B3": ["money"], "C2": "字" * 2000}
    assert errors(ok) == {}
    assert errors({**ok, "C2": "字" * 2001})["C2"] == TOO_LONG
    other = {**BASE, "A3": "other", "A3_other": "字" * 200}
    assert errors(other) == {}
    assert errors({**other, "A3_other": "字" * 201})["A3_other"] == TOO_LONG


def test_a_short_text_item_defaults_to_200() -> None:
    definition = copy.deepcopy(sample_definition())
    item = next(i for i in definition["items"] if i["code"] == "C2")
    item.pop("long", None)
    item.pop("max_length", None)
    instrument, issues = load_definition(definition)
    assert instrument is not None, issues
    answers = {**BASE, "B3": ["money"], "C2": "字" * 201}
    problems = validate_answers(instrument, answers)
    assert problems["C2"].msgid == TOO_LONG and problems["C2"].params["max"] == 200
    page = next(p for p in render_pages(instrument, "zh-hans") if any(
        i.code == "C2" for i in p.items))  # fmt: skip
    assert next(i for i in page.items if i.code == "C2").max_length == 200


def test_the_form_carries_the_limit_and_never_shows_invalid_text() -> None:
    pages = render_pages(sample(), "zh-hans", answers={**BASE, "C2": "工\ud800", "A3": "1"})
    items = {item.code: item for page in pages for item in page.items}
    assert items["C2"].max_length == 2000 and items["C2"].value == ""
    assert items["A3"].value == "1"  # valid answers still shown
    assert items["A1"].max_length is None  # not a text item


def test_without_invalid_text_keeps_the_rest() -> None:
    answers = {"A1": "1", "K1": "工\ud800", "K2": "x" * (MAX_STORED_TEXT_LENGTH + 1), "B": ["a"]}
    assert without_invalid_text(answers) == {"A1": "1", "B": ["a"]}


@pytest.mark.parametrize("text", BAD.values(), ids=list(BAD))
def test_a_questionnaire_with_invalid_text_is_refused(text: str) -> None:
    definition = sample_definition()
    definition["items"][0]["label"]["en"] += text
    definition["items"][1]["relevance"] = f"${{A1}} = '{text}'"
    instrument, issues = load_definition(definition)
    assert instrument is None
    paths = {(issue.path, issue.kind) for issue in issues}
    assert paths == {("items[0].label.en", "invalid_text"), ("items[1].relevance", "invalid_text")}
    for issue in issues:
        issue.message.render().encode("utf-8")
