"""Compress pages and JSON on the way out: brotli where the browser accepts it, else gzip.

Static files are compressed once, at ``collectstatic`` (whitenoise serves the ``.br`` and
``.gz`` copies, see ``core/staticfiles.py``); this middleware sits after WhiteNoise, so it
only sees what views render.

BREACH. A compressed HTTPS response leaks, through its length, whether attacker-chosen text
that the page reflects matches a secret elsewhere in the same page. The secrets our pages
carry are the CSRF token, which Django masks afresh on every response (so it never repeats
from one response to the next), and, on the respondent's form, the respondent's own key: the
only text that page reflects is the respondent's own saved answers, which nobody without
the key can write. For gzip, Django's own middleware also pads each response with a
random number of bytes ("Heal The Breach"); brotli has no such field, and the masking is
what protects the token there.

Only text is compressed: files that are already compressed (PDF, XLSX, ZIP, images) or
streamed downloads pass through as they are.
"""

from __future__ import annotations

import re

import brotli
from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

# Fast enough for every page view (about 2 ms for the 75 KB questionnaire page) and within a
# few per cent of the best ratio; quality 11 takes 150 ms for 10% less.
BROTLI_QUALITY = 5
MIN_LENGTH = 200
_TEXT_TYPES = re.compile(
    r"^(text/(html|plain|css|csv|javascript)|application/(json|problem\+json|javascript|"
    r"vnd\.oai\.openapi(\+json)?|xml)|image/svg\+xml)\b"
)
_BR = re.compile(r"(^|,)\s*br\s*(,|;(?!\s*q=0(\.0*)?\s*(,|$))|$)")


def accepts_brotli(accept_encoding: str) -> bool:
    """True when ``br`` is listed in Accept-Encoding without ``q=0``."""
    return bool(_BR.search(accept_encoding[:200].lower()))


def is_compressible(response: HttpResponseBase) -> bool:
    return bool(_TEXT_TYPES.match(response.get("Content-Type", "").lower()))


class CompressionMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.has_header("Content-Encoding") or not is_compressible(response):
            return response
        if response.streaming:
            return super().process_response(request, response)
        content = response.content  # type: ignore[attr-defined]
        if len(content) < MIN_LENGTH:
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not accepts_brotli(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return super().process_response(request, response)
        compressed = brotli.compress(content, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)
        if len(compressed) >= len(content):
            return response
        response.content = compressed  # type: ignore[attr-defined]
        response["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response["ETag"] = "W/" + etag
        response["Content-Encoding"] = "br"
        return response
