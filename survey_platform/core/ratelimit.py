"""Fixed-window rate limits in the cache (shared between processes when the cache is).

Used where guessing must be slow: login and hand-typed answer codes. Counters hold a hash
of the key, so the cache never keeps raw codes or addresses.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

from .addresses import client_address

__all__ = ["allow", "client_address", "count", "hit"]


def allow(scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once ``limit`` attempts fell in the current window."""
    return hit(scope, key, window_seconds) <= limit


def _key(scope: str, key: str, window_seconds: int) -> tuple[str, int]:
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    slot = int(time.time() // window_seconds)
    return f"rl:{scope}:{digest}:{slot}", window_seconds + 5


def count(scope: str, key: str, window_seconds: int) -> int:
    """How many hits ``key`` had in the current window (without counting one)."""
    cache_key, _ = _key(scope, key, window_seconds)
    return int(cache.get(cache_key, 0))


def hit(scope: str, key: str, window_seconds: int) -> int:
    """Count one event (e.g. a failed login) and return the window's count."""
    cache_key, timeout = _key(scope, key, window_seconds)
    cache.add(cache_key, 0, timeout=timeout)
    try:
        return int(cache.incr(cache_key))
    except ValueError:
        cache.set(cache_key, 1, timeout=timeout)
        return 1
