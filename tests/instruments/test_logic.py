"""The logic language: shared vectors (also run by tests/js/logic.test.mjs) and API tests."""

from __future__ import annotations

import json
import math
import pickle
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from instruments import logic
from instruments.logic import (
    Binary,
    LogicError,
    LogicEvalError,
    LogicSyntaxError,
    Number,
    Ref,
    evaluate,
    is_true,
    parse,
    references,
    unparse,
    uses_current,
)
from instruments.logic import errors as logic_errors
from instruments.messages import Message

ROOT = Path(__file__).resolve().parents[2]
VECTORS: list[dict[str, Any]] = json.loads(
    (ROOT / "instruments" / "logic_vectors.json").read_text(encoding="utf-8")
)
JS_SOURCE = (ROOT / "instruments" / "static" / "instruments" / "logic.js").read_text(
    encoding="utf-8"
)
SPECIAL_NUMBERS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _vector_id(vector: dict[str, Any]) -> str:
    expr = vector["expr"]
    return expr if len(expr) <= 60 else expr[:57] + "..."


def assert_same_value(actual: Any, expect: Any) -> None:
    """Strict comparison: the XPath type must match too (True is not 1, "1" is not 1)."""
    if isinstance(expect, str) and expect in SPECIAL_NUMBERS:
        assert isinstance(actual, float), f"expected number {expect}, got {actual!r}"
        wanted = SPECIAL_NUMBERS[expect]
        assert math.isnan(actual) if math.isnan(wanted) else actual == wanted, actual
    elif isinstance(expect, bool):
        assert actual is expect
    elif isinstance(expect, int | float):
        assert type(actual) is float, f"expected number {expect}, got {actual!r}"
        assert actual == expect
    else:
        assert type(actual) is str, f"expected string {expect!r}, got {actual!r}"
        assert actual == expect


def test_vector_file_is_big_enough_and_well_formed() -> None:
    assert len(VECTORS) >= 180
    for vector in VECTORS:
        assert isinstance(vector["expr"], str)
        assert ("expect" in vector) != ("error" in vector), vector
        if vector.get("error") == "syntax":
            assert isinstance(vector["column"], int) and vector["column"] >= 1, vector
        elif "error" in vector:
            assert vector["error"] == "eval", vector


@pytest.mark.parametrize("vector", VECTORS, ids=_vector_id)
def test_vector(vector: dict[str, Any]) -> None:
    answers = vector.get("answers", {})
    current = vector.get("current")
    if vector.get("error") == "syntax":
        with pytest.raises(LogicSyntaxError) as caught:
            evaluate(vector["expr"], answers, current)
        assert caught.value.column == vector["column"]
        assert caught.value.source == vector["expr"]
        if "message" in vector:
            assert str(caught.value) == vector["message"]
        return
    if vector.get("error") == "eval":
        parse(vector["expr"])  # the expression itself is fine
        with pytest.raises(LogicEvalError):
            evaluate(vector["expr"], answers, current)
        return
    tree = parse(vector["expr"])
    assert_same_value(evaluate(tree, answers, current), vector["expect"])
    if "references" in vector:
        assert references(tree) == vector["references"]
    if "uses_current" in vector:
        assert uses_current(tree) is vector["uses_current"]


@pytest.mark.parametrize(
    "vector", [v for v in VECTORS if "error" not in v or v["error"] == "eval"], ids=_vector_id
)
def test_unparse_of_every_valid_vector_parses_back_to_the_same_tree(
    vector: dict[str, Any],
) -> None:
    tree = parse(vector["expr"])
    assert parse(unparse(tree)) == tree


# --- API


def test_parse_builds_a_tree_with_columns() -> None:
    tree = parse("${a} + 2")
    assert tree == Binary("+", Ref("a"), Number(2.0))
    assert isinstance(tree, Binary)
    assert (tree.column, tree.left.column, tree.right.column) == (6, 1, 8)


def test_references_are_unique_in_order_of_first_appearance() -> None:
    tree = parse("if(${c} > ${a}, ${c}, coalesce(${b}, ${a})) and selected(${d}, 'x')")
    assert references(tree) == ["c", "a", "b", "d"]
    assert references(parse("1 + .")) == []


def test_uses_current() -> None:
    assert uses_current(parse("string-length(.) > 3"))
    assert uses_current(parse("if(1, 2, -.)"))
    assert not uses_current(parse("${a} = '.'"))
    assert not uses_current(parse(".5 + 1"))


def test_evaluate_accepts_source_or_tree_and_defaults_current_to_none() -> None:
    assert evaluate("${a} * 2", {"a": 4}) == 8.0
    assert evaluate(parse("${a} * 2"), {"a": 4}) == 8.0
    assert evaluate(". = ''", {}) is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("", False),
        ("0", True),
        ("x", True),
        (0, False),
        (0.0, False),
        (-0.0, False),
        (math.nan, False),
        (2, True),
        (-1.5, True),
        (math.inf, True),
        (True, True),
        (False, False),
        ([], False),
        (["a"], True),
        ((), False),
    ],
)
def test_is_true(value: Any, expected: bool) -> None:
    assert is_true(value) is expected


def test_is_true_rejects_values_logic_cannot_use() -> None:
    with pytest.raises(LogicEvalError):
        is_true({"a": 1})


def test_errors_carry_translatable_messages() -> None:
    with pytest.raises(LogicSyntaxError) as caught:
        parse("foo(1)")
    error = caught.value
    assert isinstance(error, LogicError)
    assert isinstance(error.message, Message)
    assert error.message.msgid == logic_errors.UNKNOWN_FUNCTION
    assert error.message.params == {"column": 1, "name": "foo"}
    assert str(error) == "Unknown function 'foo' at column 1"
    assert error.message.render(lambda s: s.replace("Unknown function", "未知函数")) == (
        "未知函数 'foo' at column 1"
    )


def test_eval_error_names_the_item() -> None:
    with pytest.raises(LogicEvalError) as caught:
        evaluate("${A1} = 1", {"A1": {"x": 1}})
    assert caught.value.message.params["code"] == "A1"
    assert "'A1'" in str(caught.value)
    with pytest.raises(LogicEvalError) as caught:
        evaluate(". = 1", {}, object())
    assert caught.value.message.msgid == logic_errors.BAD_CURRENT


def test_answers_of_other_python_types() -> None:
    assert evaluate("${a}", {"a": ("x", "y")}) == "x y"
    assert evaluate("${a} = 1 div 0", {"a": 10**400}) is True
    assert evaluate("${a} = -1 div 0", {"a": -(10**400)}) is True
    assert evaluate("${a}", {"a": [10**400]}) == "Infinity"
    assert math.isnan(evaluate("${a}", {"a": math.nan}))
    assert evaluate("${a} * 4", {"a": Fraction(1, 4)}) == 1.0
    assert evaluate("${a}", {"a": [Fraction(3, 2), "x"]}) == "1.5 x"


def test_errors_survive_pickling() -> None:
    with pytest.raises(LogicSyntaxError) as caught:
        parse("1 +")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.column, copy.source, str(copy)) == (4, "1 +", str(caught.value))
    copy_eval = pickle.loads(pickle.dumps(LogicEvalError(Message("x {a}", {"a": 1}))))
    assert str(copy_eval) == "x 1"


def test_parse_results_are_shared_immutable_trees() -> None:
    assert parse("${a} + 1") is parse("${a} + 1")
    with pytest.raises(AttributeError):
        parse("${a} + 1").op = "-"  # type: ignore[union-attr]


# --- limits: hostile input fails cleanly


@pytest.mark.parametrize(
    "source",
    [
        "(" * 10_000,
        "(" * 10_000 + "1" + ")" * 10_000,
        "-" * 9_999 + "1",
        "+".join(["1"] * 4_000),
        "not(" * 3_000 + "1" + ")" * 3_000,
        "if(1, " * 2_000 + "1" + ", 2)" * 2_000,
    ],
    ids=["open-parens", "balanced-parens", "minus-chain", "plus-chain", "not-chain", "if-chain"],
)
def test_pathological_nesting_is_a_syntax_error(source: str) -> None:
    with pytest.raises(LogicSyntaxError) as caught:
        parse(source)
    assert caught.value.message.msgid in {logic_errors.TOO_DEEP, logic_errors.TOO_LONG}


def test_too_long_source() -> None:
    with pytest.raises(LogicSyntaxError) as caught:
        parse("1" + " " * 10_000)
    assert caught.value.column == 10_001
    assert caught.value.message.msgid == logic_errors.TOO_LONG
    assert parse(" " * 9_999 + "1") == Number(1.0)


def test_deepest_allowed_expression_evaluates_inside_a_deep_call_stack() -> None:
    source = "if(1, " * 99 + "${a}" + ", 0)" * 99

    def nested(depth: int) -> Any:
        return nested(depth - 1) if depth else evaluate(source, {"a": "ok"})

    assert nested(300) == "ok"


# --- the JavaScript twin uses the same messages


def test_javascript_message_ids_match_python() -> None:
    python_ids = {
        value
        for name, value in vars(logic_errors).items()
        if name.isupper() and isinstance(value, str)
    }
    block = re.search(r"var M = \{(.*?)\n  \};", JS_SOURCE, re.S)
    assert block is not None
    js_ids = {json.loads(text) for text in re.findall(r':\s*("(?:[^"\\]|\\.)*")', block.group(1))}
    assert js_ids == python_ids


def test_javascript_limits_match_python() -> None:
    from instruments.logic.tokenizer import MAX_DEPTH, MAX_LENGTH

    assert f"var MAX_LENGTH = {MAX_LENGTH};" in JS_SOURCE.replace("_000", "000")
    assert f"var MAX_DEPTH = {MAX_DEPTH};" in JS_SOURCE


def test_javascript_functions_match_python() -> None:
    block = re.search(r"var FUNCTIONS = \{(.*?)\};", JS_SOURCE, re.S)
    assert block is not None
    js = {
        name.strip('"'): int(count)
        for name, count in re.findall(r'("?[a-z-]+"?):\s*(\d+)', block.group(1))
    }
    assert js == logic.FUNCTIONS
