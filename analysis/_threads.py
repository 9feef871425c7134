"""One BLAS thread for the estimators' dense algebra.

The products here are tall and thin (200,000 x 7): a threaded BLAS gains nothing on them
and, on a busy two-core machine, its threads wait for each other: a 200,000-long dot
product measured 5 ms threaded against 0.15 ms on one thread, a QR 53 ms against 9 ms.
``one_blas_thread()`` limits BLAS to one thread for the duration of a call (threadpoolctl,
which scikit-learn brings; without it this is a no-op). The controller is built once,
so entering costs microseconds. The limit is process-wide while it holds; two threads
overlapping may leave BLAS on one thread, which only matters for speed.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import cache, wraps
from typing import Any


@cache
def _controller() -> Any:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        return None
    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager[Any]:
    ctl = _controller()
    if ctl is None:  # pragma: no cover
        return nullcontext()
    limit: AbstractContextManager[Any] = ctl.limit(limits=1, user_api="blas")
    return limit


def single_blas[**P, R](fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` under :func:`one_blas_thread`."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with one_blas_thread():
            return fn(*args, **kwargs)

    return wrapper
