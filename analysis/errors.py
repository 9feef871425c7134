"""The one exception type raised by the analysis core.

Pure code cannot translate (no Django settings here), so every error carries a
:class:`instruments.messages.Message`: an English msgid marked with ``gettext_noop`` for
``makemessages`` plus its parameters. The Django layer renders it in the user's language.
"""

from __future__ import annotations

from typing import Any

from instruments.messages import Message, gettext_noop


class AnalysisError(Exception):
    """A request the analysis core refuses: bad input, an impossible design, no data."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.message: Message = Message(msgid, params)
        super().__init__(self.message.render())


class DesignError(AnalysisError):
    """The sampling design itself is invalid (lengths, weights, nesting, fpc)."""


class LonelyPSUError(AnalysisError):
    """A stratum has a single PSU and the lonely-PSU option is ``fail``."""


class EmptyDomainError(AnalysisError):
    """A domain (subpopulation) has no respondents with positive weight."""


class ConvergenceError(AnalysisError):
    """An iterative fit (raking, calibration, IRLS) did not converge."""


def length_mismatch(name: str, got: int, expected: int) -> DesignError:
    return DesignError(
        gettext_noop("{name} has {got} values but the design has {expected} rows."),
        name=name,
        got=got,
        expected=expected,
    )
