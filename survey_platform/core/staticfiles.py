"""Static file storages: our own JavaScript and CSS minified, everything compressed.

``collectstatic`` copies each file through ``_save``; our own scripts and stylesheets are
minified on the way in (rjsmin / rcssmin only drop comments and whitespace, they rename
nothing), then whitenoise writes a ``.br`` and a ``.gz`` copy of every text file, which it
serves to browsers that accept them. The sources in the repository stay readable; the
manifest variant (production) hashes the minified content, so a changed file gets a new
name and may be cached for ever.
"""

from __future__ import annotations

from typing import Any

import rcssmin
import rjsmin
from django.core.files.base import ContentFile, File
from whitenoise.storage import CompressedManifestStaticFilesStorage, CompressedStaticFilesStorage

# Third-party files (the admin, DRF, Swagger UI) ship as they are: most are minified already
# and they are not on the respondent's path.
OWN_PREFIXES = ("instruments/", "css/", "js/")
MAX_MINIFY_BYTES = 512 * 1024


def minified(name: str, text: str) -> str:
    """The minified text of an own ``.js`` or ``.css`` file (anything else unchanged)."""
    if name.endswith(".js"):
        return str(rjsmin.jsmin(text))
    if name.endswith(".css"):
        return str(rcssmin.cssmin(text))
    return text


def _should_minify(name: str) -> bool:
    plain = name.replace("\\", "/")
    return (
        plain.startswith(OWN_PREFIXES)
        and plain.endswith((".js", ".css"))
        and not plain.endswith((".min.js", ".min.css"))
    )


class _MinifyMixin:
    def _save(self, name: str, content: File[Any]) -> str:
        if _should_minify(name) and content.size is not None and content.size < MAX_MINIFY_BYTES:
            content.seek(0)
            raw = content.read()
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            content = ContentFile(minified(name, text).encode("utf-8"))
        return super()._save(name, content)  # type: ignore[misc]


class MinifiedCompressedStaticFilesStorage(_MinifyMixin, CompressedStaticFilesStorage):
    """The embedded profile (``make run``): plain names, minified and compressed copies."""


class MinifiedCompressedManifestStaticFilesStorage(
    _MinifyMixin, CompressedManifestStaticFilesStorage
):
    """Production: content-hashed names (cached for ever), minified and compressed."""
