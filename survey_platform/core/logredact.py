"""What log lines may say about a request: no respondent keys, no full client addresses.

A respondent's answer code or open-link token in a URL is the one thing that ties a
person to an answer sheet: a log line holding it, beside a time and an address, would
let whoever reads the logs (a station's IT staff, the office's log collector) do exactly
what the platform promises nobody can. So every log path replaces those URL segments by a
placeholder (logging_filters.py for Python logging, access_log.py for gunicorn).

Pure functions without Django, so gunicorn's master process can use them cheaply.
"""

from __future__ import annotations

import ipaddress
import re

PLACEHOLDER = "[redacted]"

# /a/<code>/…, /s/<token>/ and /l/<key>/ (the respondent's links), at the start of a path
# or after a host or a quote/space in a message; then the API's /api/v1/respondent/<key>/
# and /api/v1/respondent/open/<token>/. A query string after such a path goes too.
_END = r"""[^/?#\s"'<>]+"""
_REST = r"""(?P<rest>(?:/[^?#\s"'<>]*)?)(?:\?[^\s"'<>]*)?"""
_PATTERNS = [
    re.compile(r"""(?P<head>(?:^|[\s"'(=:,]|//[^/\s"']+)/(?:a|s|l)/)""" + _END + _REST),
    re.compile(r"(?P<head>/api/v\d+/respondent/(?:open/)?)" + _END + _REST),
]


def _replace(match: re.Match[str]) -> str:
    return f"{match.group('head')}{PLACEHOLDER}{match.group('rest') or ''}"


def redact_text(text: str) -> str:
    """``text`` with every respondent key in a URL or path replaced by the placeholder."""
    if "/" not in text:
        return text
    for pattern in _PATTERNS:
        text = pattern.sub(_replace, text)
    return text


def truncate_address(address: str) -> str:
    """The network, not the machine: /24 for IPv4, /48 for IPv6; "-" if unreadable."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return "-"
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
