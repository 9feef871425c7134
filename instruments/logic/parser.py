"""Parses tokens into a syntax tree (see :mod:`.nodes`).

Grammar (XPath 1.0 precedence, lowest first; binary operators are left-associative)::

    expr    := unary (binop unary)*          binop: or | and | = != | < <= > >= | + - | * div mod
    unary   := '-'* primary
    primary := number | string | ${name} | '.' | '(' expr ')' | name '(' [expr (',' expr)*] ')'

Binary operators are folded with an explicit operator stack and unary minus with a loop,
so the only recursion is through parentheses, whose depth the tokenizer bounds. After
parsing, the tree height is checked too (``1 + 1 + ... + 1`` is shallow to parse but
deep to evaluate). Function names and argument counts are checked here, so an expression
that parses never fails later for those reasons.
"""

from __future__ import annotations

from functools import lru_cache

from . import errors
from .errors import LogicSyntaxError
from .nodes import (
    PRECEDENCE,
    WORD_OPERATORS,
    Binary,
    Call,
    Current,
    Expr,
    Number,
    Ref,
    String,
    Unary,
    children,
)
from .tokenizer import MAX_DEPTH, Token, tokenize

#: Supported functions and how many arguments each takes.
FUNCTIONS: dict[str, int] = {
    "selected": 2,
    "count-selected": 1,
    "string-length": 1,
    "if": 3,
    "coalesce": 2,
    "int": 1,
    "number": 1,
    "not": 1,
    "true": 0,
    "false": 0,
}
_OPERAND_STARTS = frozenset({"number", "string", "ref", "dot", "name", "("})
_TOKEN_DISPLAY_LIMIT = 30


@lru_cache(maxsize=1024)
def parse(source: str) -> Expr:
    """The syntax tree of ``source``; raises LogicSyntaxError with the column at fault.

    Trees are immutable, so results are cached: a form's few hundred conditions are parsed
    once per process, however many responses are checked.
    """
    return _Parser(source, tokenize(source)).parse()


def _display(token: Token) -> str:
    text = token.text
    return text if len(text) <= _TOKEN_DISPLAY_LIMIT else text[:_TOKEN_DISPLAY_LIMIT] + "…"


class _Parser:
    def __init__(self, source: str, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = tokens
        self.pos = 0

    def parse(self) -> Expr:
        if self._peek().kind == "end":
            raise LogicSyntaxError.at(errors.EMPTY, 1, self.source)
        expr = self._expression()
        token = self._peek()
        if token.kind != "end":
            raise self._after_operand_error(token)
        _check_height(expr, self.source)
        return expr

    # Token access.

    def _peek(self) -> Token:
        return self.tokens[self.pos]

    def _advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "end":
            self.pos += 1
        return token

    def _error(self, msgid: str, at: Token, /, **params: object) -> LogicSyntaxError:
        return LogicSyntaxError.at(msgid, at.column, self.source, **params)

    def _unexpected(self, token: Token) -> LogicSyntaxError:
        if token.kind == "end":
            return self._error(errors.UNEXPECTED_END, token)
        return self._error(errors.UNEXPECTED_TOKEN, token, token=_display(token))

    def _after_operand_error(self, token: Token) -> LogicSyntaxError:
        """Error for ``token`` found where an operator or closing token was expected."""
        if token.kind == "name" and token.value.lower() in WORD_OPERATORS:
            return self._error(
                errors.OPERATOR_CASE, token, name=token.value, lower=token.value.lower()
            )
        if token.kind in _OPERAND_STARTS:
            return self._error(errors.MISSING_OPERATOR, token, token=_display(token))
        return self._unexpected(token)

    # Grammar.

    def _binary_operator(self) -> Token | None:
        token = self._peek()
        if token.kind == "op" or (token.kind == "name" and token.value in WORD_OPERATORS):
            return token
        return None

    def _expression(self) -> Expr:
        operands = [self._unary()]
        operators: list[Token] = []
        while (token := self._binary_operator()) is not None:
            self._advance()
            while operators and PRECEDENCE[operators[-1].value] >= PRECEDENCE[token.value]:
                _reduce(operands, operators)
            operators.append(token)
            operands.append(self._unary())
        while operators:
            _reduce(operands, operators)
        return operands[0]

    def _unary(self) -> Expr:
        minus_signs: list[Token] = []
        while self._peek().kind == "op" and self._peek().value == "-":
            minus_signs.append(self._advance())
        expr = self._primary()
        for sign in reversed(minus_signs):
            expr = Unary(expr, sign.column)
        return expr

    def _primary(self) -> Expr:
        token = self._advance()
        match token.kind:
            case "number":
                return Number(float(token.text), token.column)
            case "string":
                return String(token.value, token.column)
            case "ref":
                return Ref(token.value, token.column)
            case "dot":
                return Current(token.column)
            case "(":
                return self._group(token)
            case "name":
                return self._name(token)
            case _:
                raise self._unexpected(token)

    def _group(self, opening: Token) -> Expr:
        expr = self._expression()
        token = self._peek()
        if token.kind == ")":
            self._advance()
            return expr
        if token.kind == "end":
            raise self._error(errors.UNCLOSED_PAREN, token, open_column=opening.column)
        raise self._after_operand_error(token)

    def _name(self, token: Token) -> Expr:
        name = token.value
        if self._peek().kind == "(":
            if name not in FUNCTIONS:
                raise self._unknown_function(token)
            return self._call(token)
        if name in FUNCTIONS:
            raise self._error(errors.FUNCTION_NEEDS_PARENS, token, name=name)
        if name in WORD_OPERATORS:
            raise self._unexpected(token)
        raise self._error(errors.UNKNOWN_NAME, token, name=name, example="${" + name + "}")

    def _unknown_function(self, token: Token) -> LogicSyntaxError:
        name = token.value
        if name.lower() in FUNCTIONS:
            return self._error(errors.UNKNOWN_FUNCTION_CASE, token, name=name, lower=name.lower())
        return self._error(errors.UNKNOWN_FUNCTION, token, name=name)

    def _call(self, name: Token) -> Call:
        opening = self._advance()
        args: list[Expr] = []
        if self._peek().kind == ")":
            self._advance()
        else:
            while True:
                args.append(self._expression())
                token = self._advance()
                if token.kind == ")":
                    break
                if token.kind == "end":
                    raise self._error(errors.UNCLOSED_PAREN, token, open_column=opening.column)
                if token.kind != ",":
                    raise self._error(errors.CALL_EXPECTED, token, name=name.value)
        expected = FUNCTIONS[name.value]
        if len(args) != expected:
            raise self._error(
                errors.WRONG_ARITY, name, name=name.value, expected=expected, count=len(args)
            )
        return Call(name.value, tuple(args), name.column)


def _reduce(operands: list[Expr], operators: list[Token]) -> None:
    token = operators.pop()
    right = operands.pop()
    left = operands.pop()
    operands.append(Binary(token.value, left, right, token.column))


def _check_height(expr: Expr, source: str) -> None:
    """Reject trees deeper than MAX_DEPTH, reporting the first too-deep node in pre-order."""
    stack: list[tuple[Expr, int]] = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise LogicSyntaxError.at(errors.TOO_DEEP, node.column, source, limit=MAX_DEPTH)
        stack.extend((child, depth + 1) for child in reversed(children(node)))
