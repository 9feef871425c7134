"""Limits for uploaded workbooks (station rosters, XLSForm questionnaires) from settings,
and a refused workbook's message in the request's language.

Both upload services turn a refusal into their domain error (``ValidationFailed``): a
400 with a form error on the pages and JSON under ``/api/``; nothing is stored.

The checks and the bounded parse live in the pure package (``instruments/xlsform/guard.py``
and ``sandbox.py``); this module only supplies the deployment's limits and translates.

Settings (each optional; a dict overrides some fields of ``WorkbookLimits``):

``ROSTER_UPLOAD_LIMITS``
    defaults ``roster.ROSTER_LIMITS``: 2 MB file, 1,000 ZIP parts, 32 MB unpacked,
    compression ratio 100 per part above 256 KB, 8 MB shared strings, 50,000 rows,
    values in at most 50 columns, 1,000,000 cells, 20 s and 512 MB for the parse.
``XLSFORM_UPLOAD_LIMITS``
    defaults ``guard.XLSFORM_LIMITS``: 5 MB file, 1,000 parts, 64 MB unpacked, ratio
    100, 16 MB shared strings, 10,000 rows per sheet, values in at most 200 columns,
    1,000,000 cells per sheet, 20 s and 512 MB for the parse.

For example ``XLSFORM_UPLOAD_LIMITS = {"max_rows": 20_000, "timeout_seconds": 30}``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext

from instruments.xlsform.guard import XLSFORM_LIMITS, WorkbookLimits, WorkbookRefused

__all__ = ["limits_from_settings", "refusal_text", "xlsform_limits"]


def limits_from_settings(defaults: WorkbookLimits, setting: str) -> WorkbookLimits:
    """``defaults`` with the fields that the dict setting ``setting`` names replaced."""
    overrides: dict[str, Any] = getattr(settings, setting, None) or {}
    known = {f.name for f in dataclasses.fields(WorkbookLimits)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ImproperlyConfigured(f"{setting}: unknown limits {', '.join(unknown)}")
    return dataclasses.replace(defaults, **overrides)


def xlsform_limits() -> WorkbookLimits:
    return limits_from_settings(XLSFORM_LIMITS, "XLSFORM_UPLOAD_LIMITS")


def refusal_text(refusal: WorkbookRefused) -> str:
    """The refusal in the request's language."""
    return refusal.message.render(gettext)
