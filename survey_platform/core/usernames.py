"""One spelling per user name: Unicode NFKC, then case-folded.

"ｏｆｆｉｃｅ" (full-width), "OFFICE" and "office" must be one account — for the log-in
(or a look-alike would be a second account an officer could be phished into) and for the
rate limit (or each look-alike would get fresh guesses). Names are stored in this form
(the ``pre_save`` receiver in signals.py) and looked up in it (auth_backend.py), so the
lookup is an exact match that behaves the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 150


def normalise_username(name: object) -> str:
    text = unicodedata.normalize("NFKC", str(name or "")).strip()
    return text.casefold()[:MAX_LENGTH]
