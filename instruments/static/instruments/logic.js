/*
 * SurveyLogic: the relevance/constraint language of the survey instruments (an XLSForm /
 * XPath 1.0 subset), for showing and hiding items live in the respondent's browser.
 *
 * This is the twin of the Python package `instruments/logic/`; the module docstrings there
 * document the language and its semantic decisions. Both implementations must give the
 * same result for every vector in `instruments/logic_vectors.json` (run by both test
 * suites): same values, same error kinds, same columns, same English messages.
 *
 * Usage:  SurveyLogic.evaluate("${B1} >= 40 and selected(${J1}, 'G05')", answers, current)
 *         SurveyLogic.isTrue(result)
 * Answers: missing = null/undefined; single choice = option code string; multiple choice =
 * array of option codes (or a space-separated string); numbers = numbers; text = string.
 * Results are booleans, numbers or strings; a missing answer evaluates to ''.
 *
 * No eval, no dependencies. Works as a browser global (window.SurveyLogic) and as a
 * CommonJS module (require) in Node.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module && module.exports) {
    module.exports = api;
  }
  root.SurveyLogic = api;
})(typeof globalThis !== "undefined" ? globalThis : this, function () {
  "use strict";

  var MAX_LENGTH = 10000;
  var MAX_DEPTH = 100;
  var TOKEN_DISPLAY_LIMIT = 30;
  var WS = "[ \\t\\r\\n\\u00a0\\u3000]";
  var WHITESPACE = " \t\r\n\u00a0\u3000";
  var NUMBER_RE = new RegExp("^" + WS + "*(-?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))" + WS + "*$");
  var SPLIT_RE = new RegExp(WS + "+");
  var STRIP_RE = new RegExp("^" + WS + "+|" + WS + "+$", "g");
  var LETTER = /^[A-Za-z]$/;
  var DIGIT = /^[0-9]$/;
  var NAME_START = /^[A-Za-z_]$/;
  var NAME_PART = /^[A-Za-z0-9_]$/;
  var REF_PART = /^[A-Za-z0-9_.-]$/;
  var OPERATORS = ["!=", "<=", ">=", "=", "<", ">", "+", "-", "*"];
  var FULL_WIDTH = {
    "\uff08": "(", "\uff09": ")", "\uff0c": ",", "\uff1d": "=", "\uff1c": "<", "\uff1e": ">",
    "\uff01": "!", "\uff0b": "+", "\uff0d": "-", "\uff0a": "*", "\uff04": "$", "\uff5b": "{",
    "\uff5d": "}", "\uff0e": ".", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'
  };
  var PRECEDENCE = {
    or: 1, and: 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
    "+": 5, "-": 5, "*": 6, div: 6, mod: 6
  };
  var WORD_OPERATORS = { and: true, or: true, div: true, mod: true };
  var FUNCTIONS = {
    selected: 2, "count-selected": 1, "string-length": 1, if: 3, coalesce: 2,
    int: 1, number: 1, not: 1, true: 0, false: 0
  };
  var OPERAND_STARTS = { number: true, string: true, ref: true, dot: true, name: true, "(": true };

  // Message ids: identical to instruments/logic/errors.py.
  var M = {
    EMPTY: "The expression is empty",
    TOO_LONG: "The expression is too long ({length} characters; the limit is {limit})",
    UNEXPECTED_CHAR: "Unexpected character '{char}' at column {column}",
    FULL_WIDTH: "Full-width character '{char}' at column {column}; use the ASCII character '{ascii}'",
    UNTERMINATED_STRING: "Unterminated string starting at column {column}",
    DOLLAR_WITHOUT_BRACE: "Expected an item reference such as {example} at column {column}",
    BAD_REFERENCE_NAME: "Invalid character in item reference at column {column}",
    EMPTY_REFERENCE: "Empty item reference at column {column}",
    UNTERMINATED_REFERENCE: "Unterminated item reference starting at column {column}",
    TOO_DEEP: "The expression is nested too deeply at column {column} (the limit is {limit} levels)",
    UNEXPECTED_TOKEN: "Unexpected '{token}' at column {column}",
    UNEXPECTED_END: "Unexpected end of expression at column {column}",
    MISSING_OPERATOR: "Missing operator before '{token}' at column {column}",
    UNCLOSED_PAREN: "Expected ')' at column {column} to close the '(' at column {open_column}",
    CALL_EXPECTED: "Expected ',' or ')' at column {column} in the call to '{name}'",
    UNKNOWN_FUNCTION: "Unknown function '{name}' at column {column}",
    UNKNOWN_FUNCTION_CASE: "Unknown function '{name}' at column {column}; function names are lowercase: '{lower}'",
    OPERATOR_CASE: "Operators are lowercase: write '{lower}' instead of '{name}' at column {column}",
    UNKNOWN_NAME: "Unknown name '{name}' at column {column}; item references are written as {example}",
    FUNCTION_NEEDS_PARENS: "Function '{name}' at column {column} must be followed by '(' and its arguments",
    WRONG_ARITY: "Wrong number of arguments to '{name}' at column {column}: expected {expected}, got {count}",
    BAD_ANSWER: "The answer to '{code}' has a value that logic cannot use: {value}",
    BAD_CURRENT: "The current answer has a value that logic cannot use: {value}"
  };

  function render(msgid, params) {
    return msgid.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(params, key) ? String(params[key]) : whole;
    });
  }

  class LogicError extends Error {
    constructor(msgid, params) {
      super(render(msgid, params));
      this.name = "LogicError";
      this.msgid = msgid;
      this.params = params;
    }
  }
  class LogicSyntaxError extends LogicError {
    constructor(msgid, column, source, params) {
      super(msgid, Object.assign({ column: column }, params || {}));
      this.name = "LogicSyntaxError";
      this.kind = "syntax";
      this.column = column;
      this.source = source;
    }
  }
  class LogicEvalError extends LogicError {
    constructor(msgid, params) {
      super(msgid, params);
      this.name = "LogicEvalError";
      this.kind = "eval";
    }
  }

  // ---- Tokenizer (columns are 1-based, in code points) ----

  function tokenize(source) {
    var chars = Array.from(source);
    if (chars.length > MAX_LENGTH) {
      throw new LogicSyntaxError(M.TOO_LONG, MAX_LENGTH + 1, source,
        { length: chars.length, limit: MAX_LENGTH });
    }
    var tokens = [];
    var pos = 0;
    var nesting = 0;
    function peek(offset) { return chars[pos + (offset || 0)] || ""; }
    function fail(msgid, at, params) { return new LogicSyntaxError(msgid, at + 1, source, params); }
    function emit(kind, start, value) {
      var text = chars.slice(start, pos).join("");
      tokens.push({ kind: kind, text: text, value: value === undefined ? text : value, column: start + 1 });
    }
    function scanNumber() {
      var start = pos;
      while (DIGIT.test(peek())) pos++;
      if (peek() === ".") {
        pos++;
        while (DIGIT.test(peek())) pos++;
      }
      emit("number", start);
    }
    function scanString(quote) {
      var start = pos;
      var end = chars.indexOf(quote, start + 1);
      if (end < 0) throw fail(M.UNTERMINATED_STRING, start);
      pos = end + 1;
      emit("string", start, chars.slice(start + 1, end).join(""));
    }
    function scanReference() {
      var start = pos;
      if (peek(1) !== "{") throw fail(M.DOLLAR_WITHOUT_BRACE, start, { example: "${q1}" });
      pos += 2;
      var nameStart = pos;
      while (pos < chars.length && peek() !== "}") {
        var allowed = pos === nameStart ? NAME_START : REF_PART;
        if (!allowed.test(peek())) throw fail(M.BAD_REFERENCE_NAME, pos);
        pos++;
      }
      if (pos >= chars.length) throw fail(M.UNTERMINATED_REFERENCE, start);
      if (pos === nameStart) throw fail(M.EMPTY_REFERENCE, start);
      var name = chars.slice(nameStart, pos).join("");
      pos++;
      emit("ref", start, name);
    }
    function scanName() {
      var start = pos;
      for (;;) {
        if (NAME_PART.test(peek())) pos++;
        else if (peek() === "-" && LETTER.test(peek(1))) pos++;
        else break;
      }
      emit("name", start);
    }
    function scanOperator(ch) {
      for (var i = 0; i < OPERATORS.length; i++) {
        var op = OPERATORS[i];
        if (chars.slice(pos, pos + op.length).join("") === op) {
          pos += op.length;
          emit("op", pos - op.length);
          return;
        }
      }
      if (Object.prototype.hasOwnProperty.call(FULL_WIDTH, ch)) {
        throw fail(M.FULL_WIDTH, pos, { char: ch, ascii: FULL_WIDTH[ch] });
      }
      throw fail(M.UNEXPECTED_CHAR, pos, { char: ch });
    }
    for (;;) {
      while (pos < chars.length && WHITESPACE.indexOf(chars[pos]) >= 0) pos++;
      if (pos >= chars.length) break;
      var ch = peek();
      if (DIGIT.test(ch) || (ch === "." && DIGIT.test(peek(1)))) scanNumber();
      else if (ch === ".") { pos++; emit("dot", pos - 1); }
      else if (ch === "'" || ch === '"') scanString(ch);
      else if (ch === "$") scanReference();
      else if (NAME_START.test(ch)) scanName();
      else if (ch === "(" || ch === ")" || ch === ",") {
        if (ch === "(") {
          nesting++;
          if (nesting > MAX_DEPTH) throw fail(M.TOO_DEEP, pos, { limit: MAX_DEPTH });
        } else if (ch === ")") {
          nesting = Math.max(0, nesting - 1);
        }
        pos++;
        emit(ch, pos - 1);
      } else scanOperator(ch);
    }
    tokens.push({ kind: "end", text: "", value: "", column: chars.length + 1 });
    return tokens;
  }

  // ---- Parser ----

  function display(token) {
    var chars = Array.from(token.text);
    return chars.length <= TOKEN_DISPLAY_LIMIT ? token.text
      : chars.slice(0, TOKEN_DISPLAY_LIMIT).join("") + "\u2026";
  }

  function children(node) {
    if (node.type === "unary") return [node.operand];
    if (node.type === "binary") return [node.left, node.right];
    if (node.type === "call") return node.args;
    return [];
  }

  function parse(source) {
    if (typeof source !== "string") throw new TypeError("SurveyLogic.parse expects a string");
    var tokens = tokenize(source);
    var pos = 0;
    function peek() { return tokens[pos]; }
    function advance() {
      var token = tokens[pos];
      if (token.kind !== "end") pos++;
      return token;
    }
    function fail(msgid, at, params) { return new LogicSyntaxError(msgid, at.column, source, params); }
    function unexpected(token) {
      if (token.kind === "end") return fail(M.UNEXPECTED_END, token);
      return fail(M.UNEXPECTED_TOKEN, token, { token: display(token) });
    }
    function afterOperand(token) {
      if (token.kind === "name" && WORD_OPERATORS[token.value.toLowerCase()] === true) {
        return fail(M.OPERATOR_CASE, token, { name: token.value, lower: token.value.toLowerCase() });
      }
      if (OPERAND_STARTS[token.kind]) return fail(M.MISSING_OPERATOR, token, { token: display(token) });
      return unexpected(token);
    }
    function binaryOperator() {
      var token = peek();
      if (token.kind === "op" || (token.kind === "name" && WORD_OPERATORS[token.value] === true)) return token;
      return null;
    }
    function reduce(operands, operators) {
      var op = operators.pop();
      var right = operands.pop();
      var left = operands.pop();
      operands.push({ type: "binary", op: op.value, left: left, right: right, column: op.column });
    }
    function expression() {
      var operands = [unary()];
      var operators = [];
      var token;
      while ((token = binaryOperator()) !== null) {
        advance();
        while (operators.length && PRECEDENCE[operators[operators.length - 1].value] >= PRECEDENCE[token.value]) {
          reduce(operands, operators);
        }
        operators.push(token);
        operands.push(unary());
      }
      while (operators.length) reduce(operands, operators);
      return operands[0];
    }
    function unary() {
      var signs = [];
      while (peek().kind === "op" && peek().value === "-") signs.push(advance());
      var expr = primary();
      for (var i = signs.length - 1; i >= 0; i--) {
        expr = { type: "unary", operand: expr, column: signs[i].column };
      }
      return expr;
    }
    function primary() {
      var token = advance();
      switch (token.kind) {
        case "number": return { type: "number", value: Number(token.text), column: token.column };
        case "string": return { type: "string", value: token.value, column: token.column };
        case "ref": return { type: "ref", name: token.value, column: token.column };
        case "dot": return { type: "current", column: token.column };
        case "(": return group(token);
        case "name": return named(token);
        default: throw unexpected(token);
      }
    }
    function group(opening) {
      var expr = expression();
      var token = peek();
      if (token.kind === ")") { advance(); return expr; }
      if (token.kind === "end") throw fail(M.UNCLOSED_PAREN, token, { open_column: opening.column });
      throw afterOperand(token);
    }
    function named(token) {
      var name = token.value;
      var known = Object.prototype.hasOwnProperty.call(FUNCTIONS, name);
      if (peek().kind === "(") {
        if (!known) throw unknownFunction(token);
        return call(token);
      }
      if (known) throw fail(M.FUNCTION_NEEDS_PARENS, token, { name: name });
      if (WORD_OPERATORS[name] === true) throw unexpected(token);
      throw fail(M.UNKNOWN_NAME, token, { name: name, example: "${" + name + "}" });
    }
    function unknownFunction(token) {
      var lower = token.value.toLowerCase();
      if (Object.prototype.hasOwnProperty.call(FUNCTIONS, lower)) {
        return fail(M.UNKNOWN_FUNCTION_CASE, token, { name: token.value, lower: lower });
      }
      return fail(M.UNKNOWN_FUNCTION, token, { name: token.value });
    }
    function call(nameToken) {
      var opening = advance();
      var args = [];
      if (peek().kind === ")") {
        advance();
      } else {
        for (;;) {
          args.push(expression());
          var token = advance();
          if (token.kind === ")") break;
          if (token.kind === "end") throw fail(M.UNCLOSED_PAREN, token, { open_column: opening.column });
          if (token.kind !== ",") throw fail(M.CALL_EXPECTED, token, { name: nameToken.value });
        }
      }
      var expected = FUNCTIONS[nameToken.value];
      if (args.length !== expected) {
        throw fail(M.WRONG_ARITY, nameToken, { name: nameToken.value, expected: expected, count: args.length });
      }
      return { type: "call", name: nameToken.value, args: args, column: nameToken.column };
    }
    function checkHeight(tree) {
      var stack = [[tree, 1]];
      while (stack.length) {
        var item = stack.pop();
        if (item[1] > MAX_DEPTH) {
          throw new LogicSyntaxError(M.TOO_DEEP, item[0].column, source, { limit: MAX_DEPTH });
        }
        var kids = children(item[0]);
        for (var i = kids.length - 1; i >= 0; i--) stack.push([kids[i], item[1] + 1]);
      }
    }

    if (peek().kind === "end") throw new LogicSyntaxError(M.EMPTY, 1, source);
    var tree = expression();
    if (peek().kind !== "end") throw afterOperand(peek());
    checkHeight(tree);
    return tree;
  }

  function walk(tree) {
    var result = [];
    var stack = [tree];
    while (stack.length) {
      var node = stack.pop();
      result.push(node);
      var kids = children(node);
      for (var i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
    }
    return result;
  }

  function toTree(expr) { return typeof expr === "string" ? parse(expr) : expr; }

  function references(expr) {
    var seen = [];
    walk(toTree(expr)).forEach(function (node) {
      if (node.type === "ref" && seen.indexOf(node.name) < 0) seen.push(node.name);
    });
    return seen;
  }

  function usesCurrent(expr) {
    return walk(toTree(expr)).some(function (node) { return node.type === "current"; });
  }

  // ---- Values (see instruments/logic/values.py) ----

  function badAnswer(answer, code) {
    var shown;
    try { shown = JSON.stringify(answer); } catch (e) { shown = undefined; }
    shown = String(shown === undefined ? answer : shown);
    if (Array.from(shown).length > 40) shown = Array.from(shown).slice(0, 40).join("") + "\u2026";
    if (code === null) return new LogicEvalError(M.BAD_CURRENT, { value: shown });
    return new LogicEvalError(M.BAD_ANSWER, { code: code, value: shown });
  }

  function fromAnswer(answer, code) {
    if (answer === null || answer === undefined) return "";
    var type = typeof answer;
    if (type === "boolean" || type === "string" || type === "number") return answer;
    if (type === "bigint") return Number(answer);
    if (Array.isArray(answer)) {
      return answer.map(function (item) {
        if (typeof item === "string") return item;
        if (typeof item === "number" || typeof item === "bigint") return toString(Number(item));
        throw badAnswer(answer, code);
      }).join(" ");
    }
    throw badAnswer(answer, code);
  }

  function toBool(value) {
    if (typeof value === "boolean") return value;
    if (typeof value === "number") return !(value === 0 || Number.isNaN(value));
    return value !== "";
  }

  function toNumber(value) {
    if (typeof value === "boolean") return value ? 1 : 0;
    if (typeof value === "number") return value;
    var match = NUMBER_RE.exec(value);
    return match ? Number(match[1]) : NaN;
  }

  function toString(value) {
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "string") return value;
    if (Number.isNaN(value)) return "NaN";
    if (value === Infinity) return "Infinity";
    if (value === -Infinity) return "-Infinity";
    if (value === 0) return "0";
    var text = String(value);
    var m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
    if (!m) return text;
    var fraction = m[3] || "";
    var digits = m[2] + fraction;
    var exponent = parseInt(m[4], 10) - fraction.length;
    if (exponent >= 0) return m[1] + digits + "0".repeat(exponent);
    var point = digits.length + exponent;
    if (point > 0) return m[1] + digits.slice(0, point) + "." + digits.slice(point);
    return m[1] + "0." + "0".repeat(-point) + digits;
  }

  function equals(left, right) {
    if (typeof left === "boolean" || typeof right === "boolean") return toBool(left) === toBool(right);
    if (typeof left === "number" || typeof right === "number") return toNumber(left) === toNumber(right);
    return left === right;
  }

  function splitSelection(value) {
    return toString(value).split(SPLIT_RE).filter(function (part) { return part !== ""; });
  }

  // ---- Evaluator (see instruments/logic/evaluator.py) ----

  var NUMERIC = {
    "<": function (a, b) { return a < b; },
    "<=": function (a, b) { return a <= b; },
    ">": function (a, b) { return a > b; },
    ">=": function (a, b) { return a >= b; },
    "+": function (a, b) { return a + b; },
    "-": function (a, b) { return a - b; },
    "*": function (a, b) { return a * b; },
    div: function (a, b) { return a / b; },
    mod: function (a, b) { return a % b; }
  };

  var CALLS = {
    selected: function (selection, code) {
      return splitSelection(selection).indexOf(toString(code).replace(STRIP_RE, "")) >= 0;
    },
    "count-selected": function (x) { return splitSelection(x).length; },
    "string-length": function (x) { return Array.from(toString(x)).length; },
    int: function (x) { return Math.trunc(toNumber(x)); },
    number: toNumber,
    not: function (x) { return !toBool(x); },
    true: function () { return true; },
    false: function () { return false; }
  };

  function lookup(answers, name) {
    if (answers === null || answers === undefined) return undefined;
    if (typeof Map !== "undefined" && answers instanceof Map) return answers.get(name);
    return Object.prototype.hasOwnProperty.call(answers, name) ? answers[name] : undefined;
  }

  function evalTree(node, answers, current) {
    function ev(n) {
      switch (n.type) {
        case "number":
        case "string": return n.value;
        case "ref": return fromAnswer(lookup(answers, n.name), n.name);
        case "current": return fromAnswer(current, null);
        case "unary": return -toNumber(ev(n.operand));
        case "binary": return binary(n);
        case "call": return callNode(n);
      }
      throw new TypeError("not a logic expression");
    }
    function binary(n) {
      if (n.op === "or") return toBool(ev(n.left)) || toBool(ev(n.right));
      if (n.op === "and") return toBool(ev(n.left)) && toBool(ev(n.right));
      var left = ev(n.left);
      var right = ev(n.right);
      if (n.op === "=") return equals(left, right);
      if (n.op === "!=") return !equals(left, right);
      return NUMERIC[n.op](toNumber(left), toNumber(right));
    }
    function callNode(n) {
      if (n.name === "if") return ev(toBool(ev(n.args[0])) ? n.args[1] : n.args[2]);
      if (n.name === "coalesce") {
        var first = ev(n.args[0]);
        return first === "" ? ev(n.args[1]) : first;
      }
      return CALLS[n.name].apply(null, n.args.map(ev));
    }
    return ev(node);
  }

  // Parsed sources, so re-checking every condition on each keystroke stays cheap. Trees
  // from this cache are never handed out (parse() always builds a fresh one).
  var treeCache = new Map();
  var TREE_CACHE_LIMIT = 1000;

  function cachedTree(source) {
    var tree = treeCache.get(source);
    if (tree === undefined) {
      tree = parse(source);
      if (treeCache.size >= TREE_CACHE_LIMIT) treeCache.clear();
      treeCache.set(source, tree);
    }
    return tree;
  }

  function evaluate(expr, answers, current) {
    var tree = typeof expr === "string" ? cachedTree(expr) : expr;
    return evalTree(tree, answers || {}, current);
  }

  function isTrue(value) {
    return toBool(fromAnswer(value, null));
  }

  return {
    parse: parse,
    evaluate: evaluate,
    references: references,
    usesCurrent: usesCurrent,
    isTrue: isTrue,
    stringValue: toString,
    LogicError: LogicError,
    LogicSyntaxError: LogicSyntaxError,
    LogicEvalError: LogicEvalError,
    MAX_LENGTH: MAX_LENGTH,
    MAX_DEPTH: MAX_DEPTH
  };
});
