"""An RQ queue for running jobs synchronously (``ASYNC`` off) from any thread.

RQ times a job it runs in the enqueuing process with SIGALRM, which Python allows only in
the main thread; a web server's request threads (and the test suite's live server) are
not. This queue uses RQ's timer-based timeout instead. Workers are unaffected: they time
jobs themselves.
"""

from __future__ import annotations

from typing import Any

from django_rq.queues import DjangoRQ
from rq.timeouts import TimerDeathPenalty


class ThreadSafeQueue(DjangoRQ):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("death_penalty_class", TimerDeathPenalty)
        # django_rq (py.typed) leaves DjangoRQ.__init__ unannotated.
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]
