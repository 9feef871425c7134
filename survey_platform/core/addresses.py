"""The client's address, read through a configured number of trusted reverse proxies.

Behind the documented reverse proxy every request arrives from the proxy's address, so
``REMOTE_ADDR`` alone would put every user into one rate-limit counter. The proxy writes
the address it saw into ``X-Forwarded-For``; but the client can send that header too, so
it is believed only as far as ``TRUSTED_PROXY_COUNT`` (settings) says: each trusted proxy
appends the address of its peer, so with N proxies the client is the N-th entry from the
right, and everything further left may be forged. With N = 0 (the default, no proxy) the
header is never read.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_address(request: HttpRequest | object) -> str:
    """The address of the client as far as the trusted proxies vouch for it."""
    meta = getattr(request, "META", {})
    remote = str(meta.get("REMOTE_ADDR", ""))
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if trusted <= 0:
        return remote
    chain = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    chain = [part for part in chain if part]
    if not chain:
        # A request that reached us without passing the proxy (e.g. a health check).
        return remote
    # Fewer entries than proxies: the request entered the chain part-way; the leftmost
    # entry is then the address the first proxy it passed saw.
    candidate = chain[-trusted] if len(chain) >= trusted else chain[0]
    return candidate if _valid(candidate) else remote
