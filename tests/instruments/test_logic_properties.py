"""Property tests of the logic language: robustness, printing round trip, and agreement
of the Python evaluator with its JavaScript twin on generated expressions."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instruments.logic import (
    FUNCTIONS,
    Binary,
    Call,
    Current,
    Expr,
    LogicEvalError,
    LogicSyntaxError,
    Number,
    Ref,
    String,
    Unary,
    evaluate,
    parse,
    unparse,
)
from instruments.logic.nodes import PRECEDENCE

ROOT = Path(__file__).resolve().parents[2]
LOGIC_JS = ROOT / "instruments" / "static" / "instruments" / "logic.js"
VECTORS = json.loads((ROOT / "instruments" / "logic_vectors.json").read_text(encoding="utf-8"))
VALID_TREES = [parse(vector["expr"]) for vector in VECTORS if "error" not in vector]
BOUNDED = settings(max_examples=300, deadline=None)
CODES = ["a", "b", "J", "K", "B1_hours", "a-1"]

# --- strategies

FRAGMENTS = [
    "${a}", "${J}", "${", "}", "$", "(", ")", ",", ".", "..", "'x'", '"y"', "'", '"', "1",
    "2.5", ".5", "-", "+", "*", "=", "!=", "<", "<=", ">", ">=", "!", "and", "or", "div",
    "mod", "not(", "selected(", "count-selected(", "string-length(", "if(", "coalesce(",
    "int(", "number(", "true()", "false()", "foo(", "AND", " ", "\t", "\u3000", "（", "调查",
]  # fmt: skip
source_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join),
)

answer_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["", " ", "0", "1", "-2.5", " 7 ", "G01 G05", "a\u3000b", "1e3", "调查"]),
    st.lists(st.one_of(st.text(max_size=8), st.sampled_from(["G01", "G05", "1"])), max_size=5),
)
answers_dicts = st.dictionaries(st.sampled_from(CODES), answer_value, max_size=len(CODES))

ref_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,8}", fullmatch=True)
leaves: st.SearchStrategy[Expr] = st.one_of(
    st.floats(min_value=0, allow_nan=False, allow_infinity=False)
    .filter(lambda x: math.copysign(1.0, x) > 0)
    .map(Number),
    st.sampled_from([0.0, 1.0, 2.0, 3.0, 0.5, 10.0, 100.0]).map(Number),
    st.text(max_size=10).filter(lambda s: not ("'" in s and '"' in s)).map(String),
    st.sampled_from(["", "x", "G01", "1", "0", " 2 ", "调查"]).map(String),
    st.one_of(ref_names, st.sampled_from(CODES)).map(Ref),
    st.just(Current()),
)


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    calls = [
        st.tuples(*[children] * arity).map(lambda args, name=name: Call(name, args))
        for name, arity in FUNCTIONS.items()
    ]
    return st.one_of(
        children.map(Unary),
        st.builds(Binary, st.sampled_from(sorted(PRECEDENCE)), children, children),
        *calls,
    )


expressions = st.recursive(leaves, _extend, max_leaves=20)


def _check_value(value: Any) -> None:
    assert type(value) in (bool, float, str), value


# --- robustness


@BOUNDED
@given(source_text)
def test_parse_raises_only_syntax_errors(source: str) -> None:
    try:
        tree = parse(source)
    except LogicSyntaxError as error:
        assert 1 <= error.column <= len(source) + 1
        assert str(error)
    else:
        assert parse(unparse(tree)) == tree


@BOUNDED
@given(answers_dicts, answer_value)
def test_valid_expressions_never_crash_on_any_answers(answers: dict, current: Any) -> None:
    for tree in VALID_TREES:
        _check_value(evaluate(tree, answers, current))


@BOUNDED
@given(expressions, answers_dicts, answer_value)
def test_generated_expressions_evaluate_to_xpath_values(
    tree: Expr, answers: dict, current: Any
) -> None:
    _check_value(evaluate(tree, answers, current))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(CODES), st.dictionaries(st.text(), st.integers())))
def test_unusable_answers_raise_only_eval_errors(answers: dict) -> None:
    for tree in VALID_TREES:
        try:
            evaluate(tree, answers, {"x": 1})
        except LogicEvalError:
            pass


# --- printing


@BOUNDED
@given(expressions)
def test_unparse_round_trips(tree: Expr) -> None:
    source = unparse(tree)
    assert parse(source) == tree
    assert unparse(parse(source)) == source


# --- Python and JavaScript agree

NODE = shutil.which("node")
NODE_SCRIPT = """
const L = require(process.argv[1]);
const revive = (k, v) => v && typeof v === "object" && "$num" in v ? Number(v.$num) : v;
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"), revive);
const out = cases.map(([source, answers, current]) => {
  try {
    const value = L.evaluate(source, answers, current);
    if (typeof value === "number") return { number: Object.is(value, -0) ? "-0" : String(value) };
    return { value };
  } catch (error) {
    if (!(error instanceof L.LogicError)) throw error;
    return { error: error.kind, column: error.column ?? null, message: error.message };
  }
});
process.stdout.write(JSON.stringify(out));
"""


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return {"$num": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


def _python_outcome(source: str, answers: dict, current: Any) -> dict[str, Any]:
    try:
        value = evaluate(source, answers, current)
    except LogicSyntaxError as error:
        return {"error": "syntax", "column": error.column, "message": str(error)}
    except LogicEvalError:
        return {"error": "eval"}
    if isinstance(value, float):
        return {"number": value}
    return {"value": value}


def _same(python: dict[str, Any], js: dict[str, Any]) -> bool:
    if "number" in python:
        if "number" not in js:
            return False
        mine, theirs = python["number"], float(js["number"])
        if math.isnan(mine):
            return math.isnan(theirs)
        return mine == theirs and math.copysign(1, mine) == math.copysign(1, theirs)
    if python.get("error") == "eval":
        return js.get("error") == "eval"
    return python == js


case = st.tuples(st.one_of(expressions.map(unparse), source_text), answers_dicts, answer_value)


def test_node_is_available() -> None:
    # `make test` installs Node.js; without it the cross-check below would prove nothing.
    assert NODE is not None, "Node.js is missing: run `make test`, which installs it."


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.data_too_large])
@given(st.lists(case, min_size=20, max_size=40))
def test_python_and_javascript_agree(cases: list[tuple[str, dict, Any]]) -> None:
    assert NODE is not None, "Node.js is missing: run `make test`, which installs it."
    payload = json.dumps([_json_safe(list(c)) for c in cases], ensure_ascii=False)
    completed = subprocess.run(
        [NODE, "-e", NODE_SCRIPT, str(LOGIC_JS)],
        input=payload,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    for (source, answers, current), js in zip(cases, json.loads(completed.stdout), strict=True):
        python = _python_outcome(source, answers, current)
        assert _same(python, js), (source, answers, current, python, js)
