"""A logging filter that takes respondent keys out of every log record (logredact.py).

Attached to every handler of ``LOGGING`` (settings/scale.py), so it sees the records of
``django.request`` ("Not Found: /a/<code>/"), ``django.server`` (runserver's request
lines), the JSON formatter's extra fields and anything our own code logs. It rewrites the
record in place — the formatted message, the ``request`` extra and a traceback — so no later
handler or formatter sees the key. The respondent flow no longer keeps keys in URLs after
the first request; this filter is the second line of defence for the ones that remain.
"""

from __future__ import annotations

import logging
from typing import Any

from .logredact import redact_text


def _describe_request(request: Any) -> str:
    # The JSON formatter prints extras with str(), and str(request) holds the full path;
    # the method and the redacted path are all a log reader needs.
    method = str(getattr(request, "method", "") or "")
    path = redact_text(str(getattr(request, "path", "") or ""))
    return f"<{' '.join(part for part in (method, path) if part)}>"


class RespondentPathFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # The message is formatted here and then redacted: a key may sit in the format
        # string, in an argument, or be split between them ("/a/%s/" % key).
        try:
            message = record.getMessage()
        except Exception:  # a broken format: keep its parts, each redacted
            message = " ".join(str(part) for part in (record.msg, record.args))
        record.msg = redact_text(message)
        record.args = ()
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            record.request = _describe_request(request)
        for name in ("path", "url", "full_path"):  # extras some callers attach
            value = getattr(record, name, None)
            if isinstance(value, str):
                setattr(record, name, redact_text(value))
        if record.exc_info:
            # The traceback's text (an exception message may quote the path), formatted
            # once here and redacted; formatters print exc_text when exc_info is gone.
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact_text(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True
