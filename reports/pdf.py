"""Typesetting: content → Django template → weasyprint → PDF bytes.

A4, running header (series, issue number and the 内部资料 marking) from page 2 on, page
numbers "— n —" at the foot, the red masthead on page 1. A table of contents is added when
the briefing runs longer than :data:`TOC_AFTER_PAGES` pages: the document is laid out once
without it, and again with it when it is that long (the contents' page numbers are
``target-counter()`` values, right in the second layout). Fonts are checked first
(:func:`reports.fonts.required_fonts`): a missing CJK font raises ``FontMissing`` naming it
before any layout, so no PDF with substituted fonts is ever produced. weasyprint loads
nothing but data: URLs and the project's static files and fonts
(:mod:`reports.pdf_fetcher`): no other file on the disk, no network.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from . import charts
from .content import BriefingContent
from .fonts import font_families, required_fonts
from .phrases import Phrases

TOC_AFTER_PAGES = 6
# weasyprint narrates every layout step at INFO; the job's own progress is enough.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
SECTIONS = (
    ("findings", "s_findings"),
    ("grievances", "s_grievances"),
    ("sectors", "s_sectors"),
    ("trend", "s_trend"),
    ("hotspots", "s_hotspots"),
    ("quotes", "s_quotes"),
    ("actions", "s_actions"),
    ("method", "s_method"),
    ("appendix", "s_appendix"),
)


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int
    toc: bool = False


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def briefing_charts(content: BriefingContent) -> dict[str, str]:
    ph = Phrases(content.language)
    out: dict[str, str] = {}
    if content.chart_lines:
        out["bars"] = data_uri(charts.ranked_bars(content.chart_lines, ph))
    if content.heat is not None:
        out["heat"] = data_uri(charts.heat_map(content.heat, ph))
    if content.trend is not None:
        out["trend"] = data_uri(charts.trend_chart(content.trend, ph))
    return out


def render_briefing(content: BriefingContent) -> RenderedPdf:
    required_fonts()
    ph = Phrases(content.language)
    context = {
        "c": content,
        "charts": briefing_charts(content),
        "sections": [(anchor, content.words[key]) for anchor, key in SECTIONS],
        "hotspot_intro": ph("hs_intro") if content.hotspots else ph("hs_none"),
        "action_intro": ph("a_intro") if content.actions else ph("a_none"),
    }
    template = "reports/pdf/briefing.html"
    return _typeset(template, context, content.language, toc_after=TOC_AFTER_PAGES)


def render_document(template: str, context: dict[str, Any], language: str) -> RenderedPdf:
    """Any other document (the station report) in the same style, without contents."""
    required_fonts()
    return _typeset(template, context, language, toc_after=None)


def _typeset(
    template: str, context: dict[str, Any], language: str, *, toc_after: int | None
) -> RenderedPdf:
    from weasyprint import HTML  # heavy import, only where PDFs are made

    from .pdf_fetcher import ProjectFilesFetcher, base_url

    ph = Phrases(language)
    base = {
        "fonts": font_families(),
        "lang_attr": "zh-Hans" if ph.is_zh else "en",
        "marking": ph("marking"),
        **context,
    }

    def layout(toc: bool) -> Any:
        with translation.override(language):
            html = render_to_string(template, {**base, "toc": toc})
        fetcher = ProjectFilesFetcher()
        return HTML(string=html, url_fetcher=fetcher, base_url=base_url()).render()

    document = layout(False)
    toc = toc_after is not None and len(document.pages) > toc_after
    if toc:
        document = layout(True)
    return RenderedPdf(document.write_pdf(), len(document.pages), toc)
