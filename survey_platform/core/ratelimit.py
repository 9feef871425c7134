"""Fixed-window rate limits in the cache (shared between processes when the cache is).

Used where guessing must be slow: login and hand-typed answer codes. Counters hold a hash
of the key, so the cache never keeps raw codes or addresses.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def allow(scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once ``limit`` attempts fell in the current window."""
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    slot = int(time.time() // window_seconds)
    cache_key = f"rl:{scope}:{digest}:{slot}"
    cache.add(cache_key, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr: start again
        cache.set(cache_key, 1, timeout=window_seconds + 5)
        count = 1
    return count <= limit


def client_address(request: object) -> str:
    meta = getattr(request, "META", {})
    return str(meta.get("REMOTE_ADDR", ""))
