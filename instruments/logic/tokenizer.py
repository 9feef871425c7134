"""Splits an expression into tokens.

Lexical rules (shared with the JavaScript twin):

* Whitespace is space, tab, CR, LF, no-break space (U+00A0) and the ideographic space
  (U+3000) that Chinese input methods type.
* ``${name}``: ``name`` starts with an ASCII letter or ``_`` and continues with ASCII
  letters, digits, ``_``, ``-`` and ``.`` (XLSForm item names). No spaces inside.
* ``.`` alone is the current answer; ``.5``, ``5``, ``5.`` and ``5.25`` are numbers (XPath
  1.0 has no exponent notation).
* Strings are quoted with ``'`` or ``"`` and have no escapes; a string may contain the
  other quote character.
* Names (functions and the word operators ``and or div mod``) are ASCII letters, digits
  and ``_``, plus ``-`` when a letter follows it: ``count-selected`` is one name, while
  ``5 mod-2`` is ``5 mod -2``.
* Full-width punctuation (``（`` ``）`` ``，`` ``‘`` ...) outside strings is reported with the
  ASCII character to use instead.

Columns are 1-based and counted in Unicode code points.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import errors
from .errors import LogicSyntaxError

MAX_LENGTH = 10_000
#: Deepest allowed nesting, both of parentheses (function calls count) and of the syntax
#: tree; keeps parsing and evaluation far below Python's recursion limit whatever the input.
MAX_DEPTH = 100

WHITESPACE = frozenset(" \t\r\n\u00a0\u3000")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")
_NAME_START = _ASCII_LETTERS | {"_"}
_NAME_PART = _NAME_START | _DIGITS
_REF_PART = _NAME_PART | {"-", "."}
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">", "+", "-", "*")
_PUNCTUATION = frozenset("(),")
FULL_WIDTH = {
    "（": "(",
    "）": ")",
    "，": ",",
    "＝": "=",
    "＜": "<",
    "＞": ">",
    "！": "!",
    "＋": "+",
    "－": "-",
    "＊": "*",
    "＄": "$",
    "｛": "{",
    "｝": "}",
    "．": ".",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
}


@dataclass(frozen=True)
class Token:
    """``kind`` is one of number, string, ref, dot, name, op, ``(``, ``)``, ``,``, end.

    ``text`` is the source text; ``value`` the decoded value (string contents, reference
    name, operator); ``column`` is 1-based.
    """

    kind: str
    text: str
    value: str
    column: int


def tokenize(source: str) -> list[Token]:
    """Tokens of ``source``, ending with an ``end`` token; raises LogicSyntaxError."""
    if len(source) > MAX_LENGTH:
        raise LogicSyntaxError.at(
            errors.TOO_LONG, MAX_LENGTH + 1, source, length=len(source), limit=MAX_LENGTH
        )
    return _Scanner(source).run()


class _Scanner:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.tokens: list[Token] = []
        self.nesting = 0

    def run(self) -> list[Token]:
        while self._skip_whitespace():
            self._scan_one()
        self.tokens.append(Token("end", "", "", len(self.source) + 1))
        return self.tokens

    def _skip_whitespace(self) -> bool:
        while self.pos < len(self.source) and self.source[self.pos] in WHITESPACE:
            self.pos += 1
        return self.pos < len(self.source)

    def _peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.source[index] if index < len(self.source) else ""

    def _error(self, msgid: str, pos: int, /, **params: object) -> LogicSyntaxError:
        return LogicSyntaxError.at(msgid, pos + 1, self.source, **params)

    def _emit(self, kind: str, start: int, value: str | None = None) -> None:
        text = self.source[start : self.pos]
        self.tokens.append(Token(kind, text, text if value is None else value, start + 1))

    def _scan_one(self) -> None:
        char = self._peek()
        if char in _DIGITS or (char == "." and self._peek(1) in _DIGITS):
            self._scan_number()
        elif char == ".":
            self.pos += 1
            self._emit("dot", self.pos - 1)
        elif char in ("'", '"'):
            self._scan_string(char)
        elif char == "$":
            self._scan_reference()
        elif char in _NAME_START:
            self._scan_name()
        elif char in _PUNCTUATION:
            self._scan_punctuation(char)
        else:
            self._scan_operator(char)

    def _scan_number(self) -> None:
        start = self.pos
        while self._peek() in _DIGITS:
            self.pos += 1
        if self._peek() == ".":
            self.pos += 1
            while self._peek() in _DIGITS:
                self.pos += 1
        self._emit("number", start)

    def _scan_string(self, quote: str) -> None:
        start = self.pos
        end = self.source.find(quote, start + 1)
        if end < 0:
            raise self._error(errors.UNTERMINATED_STRING, start)
        self.pos = end + 1
        self._emit("string", start, self.source[start + 1 : end])

    def _scan_reference(self) -> None:
        start = self.pos
        if self._peek(1) != "{":
            raise self._error(errors.DOLLAR_WITHOUT_BRACE, start, example="${q1}")
        self.pos += 2
        name_start = self.pos
        while self.pos < len(self.source) and self._peek() != "}":
            allowed = _NAME_START if self.pos == name_start else _REF_PART
            if self._peek() not in allowed:
                raise self._error(errors.BAD_REFERENCE_NAME, self.pos)
            self.pos += 1
        if self.pos >= len(self.source):
            raise self._error(errors.UNTERMINATED_REFERENCE, start)
        if self.pos == name_start:
            raise self._error(errors.EMPTY_REFERENCE, start)
        name = self.source[name_start : self.pos]
        self.pos += 1
        self._emit("ref", start, name)

    def _scan_name(self) -> None:
        start = self.pos
        while True:
            char = self._peek()
            if char in _NAME_PART:
                self.pos += 1
            elif char == "-" and self._peek(1) in _ASCII_LETTERS:
                self.pos += 1
            else:
                break
        self._emit("name", start)

    def _scan_punctuation(self, char: str) -> None:
        if char == "(":
            self.nesting += 1
            if self.nesting > MAX_DEPTH:
                raise self._error(errors.TOO_DEEP, self.pos, limit=MAX_DEPTH)
        elif char == ")":
            self.nesting = max(0, self.nesting - 1)
        self.pos += 1
        self._emit(char, self.pos - 1)

    def _scan_operator(self, char: str) -> None:
        for op in _OPERATORS:
            if self.source.startswith(op, self.pos):
                self.pos += len(op)
                self._emit("op", self.pos - len(op))
                return
        if char in FULL_WIDTH:
            raise self._error(errors.FULL_WIDTH, self.pos, char=char, ascii=FULL_WIDTH[char])
        raise self._error(errors.UNEXPECTED_CHAR, self.pos, char=char)
