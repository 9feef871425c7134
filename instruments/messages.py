"""Translatable messages for the pure-Python packages (no Django import here).

Pure code cannot call Django's ``gettext`` (it must run without settings), so it raises
errors that carry an English message id plus parameters. The function below is named
``gettext_noop`` on purpose: ``makemessages`` extracts strings wrapped in that name, and the
Django layer renders them later with ``Message.render(gettext)`` in the user's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction into the catalogue without translating it."""
    return message


def _identity(message: str) -> str:
    return message


@dataclass(frozen=True)
class Message:
    """A message id (English, with ``{name}`` placeholders) and its parameters."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Callable[[str], str] = _identity) -> str:
        return translate(self.msgid).format(**self.params)

    def __str__(self) -> str:
        return self.render()
