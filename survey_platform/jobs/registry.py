"""Which function does the work of each job kind.

Apps register their handlers at import time of their ``jobs`` module (listed in
HANDLER_MODULES, imported lazily so this package imports nothing of theirs at start-up).
A handler receives the claimed job and a ``progress(percent, stage)`` callback and returns
a :class:`JobOutput`; raising marks the job failed with the exception's message.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Job

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class JobOutput:
    """A finished file: either ``content`` in memory or a temporary ``path`` to move in."""

    filename: str
    content_type: str
    content: bytes | None = None
    path: Path | None = None


Handler = Callable[["Job", Progress], JobOutput]

#: Modules whose import registers handlers (see :func:`handler`).
HANDLER_MODULES = ("reports.jobs", "survey_platform.exports.jobs")

_HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        return func

    return register


def _modules() -> tuple[str, ...]:
    from django.conf import settings

    # JOB_HANDLER_MODULES adds a deployment's own job kinds (and the scale tests' slow job).
    return (*HANDLER_MODULES, *getattr(settings, "JOB_HANDLER_MODULES", ()))


def handler_for(kind: str) -> Handler | None:
    if kind not in _HANDLERS:
        for module in _modules():
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name != module:  # a real import error inside the module
                    raise
    return _HANDLERS.get(kind)
