"""What weasyprint may load while it typesets a PDF: data: URLs and the project's own
static files and fonts — nothing else.

weasyprint's default fetcher follows ``file://`` anywhere on the disk and ``http(s)://``
anywhere on the network. A briefing carries text from outside the office's hands (open
answers quoted as grievances, station and unit names): if any of it ever reached the
template unescaped, an ``<img src="file:///etc/passwd">`` or a request to an internal
address would be made by the server. So the briefing's charts are inline ``data:`` images,
its fonts come from fontconfig, and this fetcher refuses every other URL: ``http``,
``https``, ``ftp``, and ``file`` outside the allowed folders — checked after resolving
``..`` and symbolic links, so a traversal out of a static folder is refused too. A refusal
is logged and the resource left out (weasyprint carries on without it).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError, path2url

logger = logging.getLogger(__name__)

# Where fontconfig's fonts live on Debian; a stylesheet may name a font file there.
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))


def static_dirs() -> list[Path]:
    """Every folder the project's static files come from (as collectstatic sees them)."""
    found: list[Path] = []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                found.append(Path(location))
    found.append(Path(settings.STATIC_ROOT))
    return found


def allowed_roots() -> list[Path]:
    roots = [*static_dirs(), *FONT_DIRS]
    return [root.resolve() for root in roots if root.is_dir()]


class ProjectFilesFetcher(URLFetcher):  # type: ignore[misc]
    """A weasyprint fetcher for data: URLs and files inside ``roots`` only."""

    def __init__(self, roots: Iterable[Path] | None = None, **kwargs: Any) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, **kwargs)
        self.roots = [Path(root).resolve() for root in (roots or allowed_roots())]
        self.refused: list[str] = []

    def _refuse(self, url: str, why: str) -> URLFetchingError:
        self.refused.append(url)
        logger.warning("PDF resource refused (%s): %s", why, url[:200])
        return URLFetchingError(f"refused ({why}): {url[:200]}")

    def _inside_roots(self, path: Path) -> bool:
        return any(path.is_relative_to(root) for root in self.roots)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise self._refuse(url, f"scheme {scheme or 'none'}")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "remote file")
        if not parts.path.startswith("/"):
            # "file:etc/passwd" (a traversal above the base URL's root): no base to trust.
            raise self._refuse(url, "not an absolute path")
        try:
            # resolve(): ".." and symbolic links are followed before the check.
            path = Path(unquote(parts.path)).resolve(strict=True)
        except (OSError, RuntimeError):
            raise self._refuse(url, "no such file") from None
        if not path.is_file() or not self._inside_roots(path):
            raise self._refuse(url, "outside the static and font folders")
        mime_type, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            path2url(str(path)),
            body=path.read_bytes(),
            headers={"Content-Type": mime_type or "application/octet-stream"},
        )


def base_url() -> str:
    """Relative URLs in a PDF template resolve inside the project's static folder."""
    first = next(iter(static_dirs()), Path(settings.STATIC_ROOT))
    url = str(path2url(str(first)))
    return url if url.endswith("/") else url + "/"
