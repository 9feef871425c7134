"""The Content-Security-Policy of every page, and the few views that need another.

Django's ContentSecurityPolicyMiddleware sends ``settings.SECURE_CSP`` on every response.
The policy allows scripts, styles, fonts, frames and connections from this site only — no
inline script, no inline style, no other origin — so an injected tag or attribute in a
page (a station name, an open answer shown to the office) cannot run or restyle anything,
and no page can be framed by another site. Templates therefore carry no inline
``<script>``, no ``on…=`` handler and no ``style`` attribute: behaviour is in static JS
(js/confirm.js, instruments/preview.js …) and looks in static CSS (css/site.css).

Exceptions, each on one view only (``csp_override``):

* the briefing PDF (reports.views.PdfView): ``frame-ancestors 'self'``, because the
  office's briefing page shows it in a frame of the same site;
* ReDoc (/api/redoc/): its styled-components inject ``<style>`` elements at run time, so
  ``style-src`` adds ``'unsafe-inline'`` there, and its search runs in a ``blob:`` worker.
  Swagger UI (/api/docs/) needs no exception: its script is served as a file
  (SpectacularSwaggerSplitView) and its page's style block moved to a static file.
"""

from __future__ import annotations

from typing import Any

from django.utils.csp import CSP

POLICY: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}


def policy(**changes: list[str]) -> dict[str, Any]:
    """The site's policy with some directives replaced (``frame_ancestors=[...]``)."""
    changed = dict(POLICY)
    for name, values in changes.items():
        changed[name.replace("_", "-")] = values
    return changed


# The briefing PDF, framed by the office's preview page on the same site.
FRAMED_BY_SITE = policy(frame_ancestors=[CSP.SELF])
# ReDoc injects its styles at run time and runs its search index in a blob: worker.
REDOC = policy(style_src=[CSP.SELF, CSP.UNSAFE_INLINE], worker_src=[CSP.SELF, "blob:"])
