"""Errors raised by the logic language, each carrying a translatable :class:`Message`.

Every message id is plain English with ``{name}`` placeholders, marked with
``gettext_noop`` so ``makemessages`` finds it; the Django layer renders it in the user's
language. ``str(error)`` is the English rendering. The JavaScript twin
(``instruments/static/instruments/logic.js``) uses the same message ids, so an author sees
the same wording in the browser and in the server's validation report.
"""

from __future__ import annotations

from typing import Any

from instruments.messages import Message, gettext_noop

# Tokenizer.
EMPTY = gettext_noop("The expression is empty")
TOO_LONG = gettext_noop("The expression is too long ({length} characters; the limit is {limit})")
UNEXPECTED_CHAR = gettext_noop("Unexpected character '{char}' at column {column}")
FULL_WIDTH = gettext_noop(
    "Full-width character '{char}' at column {column}; use the ASCII character '{ascii}'"
)
UNTERMINATED_STRING = gettext_noop("Unterminated string starting at column {column}")
DOLLAR_WITHOUT_BRACE = gettext_noop(
    "Expected an item reference such as {example} at column {column}"
)
BAD_REFERENCE_NAME = gettext_noop("Invalid character in item reference at column {column}")
EMPTY_REFERENCE = gettext_noop("Empty item reference at column {column}")
UNTERMINATED_REFERENCE = gettext_noop("Unterminated item reference starting at column {column}")
TOO_DEEP = gettext_noop(
    "The expression is nested too deeply at column {column} (the limit is {limit} levels)"
)

# Parser.
UNEXPECTED_TOKEN = gettext_noop("Unexpected '{token}' at column {column}")
UNEXPECTED_END = gettext_noop("Unexpected end of expression at column {column}")
MISSING_OPERATOR = gettext_noop("Missing operator before '{token}' at column {column}")
UNCLOSED_PAREN = gettext_noop(
    "Expected ')' at column {column} to close the '(' at column {open_column}"
)
CALL_EXPECTED = gettext_noop("Expected ',' or ')' at column {column} in the call to '{name}'")
UNKNOWN_FUNCTION = gettext_noop("Unknown function '{name}' at column {column}")
UNKNOWN_FUNCTION_CASE = gettext_noop(
    "Unknown function '{name}' at column {column}; function names are lowercase: '{lower}'"
)
OPERATOR_CASE = gettext_noop(
    "Operators are lowercase: write '{lower}' instead of '{name}' at column {column}"
)
UNKNOWN_NAME = gettext_noop(
    "Unknown name '{name}' at column {column}; item references are written as {example}"
)
FUNCTION_NEEDS_PARENS = gettext_noop(
    "Function '{name}' at column {column} must be followed by '(' and its arguments"
)
WRONG_ARITY = gettext_noop(
    "Wrong number of arguments to '{name}' at column {column}: expected {expected}, got {count}"
)

# Evaluator.
BAD_ANSWER = gettext_noop("The answer to '{code}' has a value that logic cannot use: {value}")
BAD_CURRENT = gettext_noop("The current answer has a value that logic cannot use: {value}")


class LogicError(Exception):
    """Base class of every error from the logic language; ``message`` is translatable."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message,))


class LogicSyntaxError(LogicError):
    """The source text is not a valid expression.

    ``column`` is the 1-based column (counted in Unicode code points) where the problem is;
    ``source`` is the text that was parsed.
    """

    def __init__(self, message: Message, column: int, source: str) -> None:
        super().__init__(message)
        self.column = column
        self.source = source

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.column, self.source))

    @classmethod
    def at(cls, msgid: str, column: int, source: str, /, **params: Any) -> LogicSyntaxError:
        """Build the error for ``msgid`` at ``column``; ``column`` is also a message param."""
        return cls(Message(msgid, {"column": column, **params}), column, source)


class LogicEvalError(LogicError):
    """A valid expression could not be evaluated (e.g. an answer of an unusable type)."""

    @classmethod
    def of(cls, msgid: str, **params: Any) -> LogicEvalError:
        return cls(Message(msgid, params))
