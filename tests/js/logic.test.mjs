// Runs the shared logic vectors against the browser evaluator:  node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const require = createRequire(import.meta.url);
const root = new URL("../../", import.meta.url);
const logicPath = new URL("instruments/static/instruments/logic.js", root);
const SurveyLogic = require(fileURLToPath(logicPath));
const vectors = JSON.parse(readFileSync(new URL("instruments/logic_vectors.json", root), "utf8"));
const SPECIAL = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

function assertSameValue(actual, expect, label) {
  if (typeof expect === "string" && Object.hasOwn(SPECIAL, expect)) {
    assert.equal(typeof actual, "number", `${label}: expected number ${expect}, got ${actual}`);
    if (Number.isNaN(SPECIAL[expect])) assert.ok(Number.isNaN(actual), `${label}: ${actual}`);
    else assert.equal(actual, SPECIAL[expect], label);
  } else if (typeof expect === "number") {
    assert.equal(typeof actual, "number", `${label}: expected number ${expect}, got ${JSON.stringify(actual)}`);
    assert.ok(actual === expect, `${label}: ${actual} !== ${expect}`);
  } else {
    assert.equal(typeof actual, typeof expect, `${label}: ${JSON.stringify(actual)}`);
    assert.equal(actual, expect, label);
  }
}

function label(vector) {
  return vector.expr.length <= 60 ? vector.expr : vector.expr.slice(0, 57) + "...";
}

test("there are enough vectors", () => {
  assert.ok(vectors.length >= 180);
});

for (const [index, vector] of vectors.entries()) {
  test(`vector ${index}: ${label(vector)}`, () => {
    const answers = vector.answers ?? {};
    const current = vector.current;
    if (vector.error === "syntax") {
      assert.throws(() => SurveyLogic.evaluate(vector.expr, answers, current), (error) => {
        assert.ok(error instanceof SurveyLogic.LogicSyntaxError, String(error));
        assert.equal(error.kind, "syntax");
        assert.equal(error.column, vector.column, error.message);
        assert.equal(error.source, vector.expr);
        if (vector.message !== undefined) assert.equal(error.message, vector.message);
        return true;
      });
      return;
    }
    if (vector.error === "eval") {
      SurveyLogic.parse(vector.expr);
      assert.throws(() => SurveyLogic.evaluate(vector.expr, answers, current), (error) => {
        assert.ok(error instanceof SurveyLogic.LogicEvalError, String(error));
        assert.equal(error.kind, "eval");
        return true;
      });
      return;
    }
    const tree = SurveyLogic.parse(vector.expr);
    assertSameValue(SurveyLogic.evaluate(tree, answers, current), vector.expect, label(vector));
    assertSameValue(SurveyLogic.evaluate(vector.expr, answers, current), vector.expect, label(vector));
    if (vector.references !== undefined) {
      assert.deepEqual(SurveyLogic.references(tree), vector.references);
    }
    if (vector.uses_current !== undefined) {
      assert.equal(SurveyLogic.usesCurrent(tree), vector.uses_current);
    }
  });
}

test("isTrue follows XPath boolean()", () => {
  const cases = [
    [null, false], [undefined, false], ["", false], ["0", true], [0, false], [-0, false],
    [NaN, false], [2, true], [Infinity, true], [true, true], [false, false], [[], false],
    [["a"], true],
  ];
  for (const [value, expected] of cases) assert.equal(SurveyLogic.isTrue(value), expected, String(value));
  assert.throws(() => SurveyLogic.isTrue({ a: 1 }), SurveyLogic.LogicEvalError);
});

test("answers may be a Map", () => {
  assert.equal(SurveyLogic.evaluate("${a} + 1", new Map([["a", 2]])), 3);
});

test("errors carry message id and params for translation", () => {
  try {
    SurveyLogic.parse("foo(1)");
    assert.fail("no error");
  } catch (error) {
    assert.equal(error.msgid, "Unknown function '{name}' at column {column}");
    assert.deepEqual(error.params, { column: 1, name: "foo" });
    assert.ok(error instanceof SurveyLogic.LogicError);
    assert.ok(error instanceof Error);
  }
});

test("pathological input is a syntax error, not a stack overflow", () => {
  const sources = [
    "(".repeat(10000),
    "(".repeat(10000) + "1" + ")".repeat(10000),
    "-".repeat(9999) + "1",
    Array(4000).fill("1").join("+"),
    "not(".repeat(3000) + "1" + ")".repeat(3000),
    "1" + " ".repeat(10000),
  ];
  for (const source of sources) {
    assert.throws(() => SurveyLogic.parse(source), SurveyLogic.LogicSyntaxError);
  }
});

test("works as a browser global without module support", () => {
  const context = vm.createContext({});
  vm.runInContext(readFileSync(logicPath, "utf8"), context);
  const api = vm.runInContext("SurveyLogic", context);
  assert.equal(api.evaluate("selected(${J}, 'G05')", { J: ["G05"] }), true);
  assert.equal(typeof api.isTrue, "function");
  assert.equal(typeof api.references, "function");
  assert.equal(typeof api.parse, "function");
});
