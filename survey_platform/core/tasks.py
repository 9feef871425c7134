"""Helpers around django.tasks shared by the apps."""

from __future__ import annotations

from typing import Any

from django.tasks import TaskResult


def settled(result: TaskResult[Any, Any]) -> TaskResult[Any, Any]:
    """The result as the backend knows it now.

    ``enqueue`` returns a snapshot taken when the task was queued: with the immediate
    backend the task has already run in it; with a queue (database, RQ — even RQ run
    synchronously) the snapshot says READY and the backend must be asked again.
    """
    backend: Any = result.task.get_backend()
    if getattr(backend, "supports_get_result", False):
        return backend.get_result(result.id)
    return result
