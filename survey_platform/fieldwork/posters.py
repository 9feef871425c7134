"""QR codes (segno) and the printable PDFs (weasyprint): the station poster and the
sheet of answer-code slips.

PDF speed: weasyprint subsets every embedded font. WenQuanYi Zen Hei (TrueType) subsets
several times faster than Noto Sans CJK (CFF) and gives PDFs about ten times smaller, so
it comes first in the PDF font stack; Noto Sans CJK SC stands in where it is missing.
Timings on the development machines are in tests/fieldwork/test_posters.py.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from .codes import IssuedCode
from .models import StationQuota

# weasyprint reports every layout step at INFO; a code sheet would flood the server log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

#: Body font stack for PDFs; see the module docstring for why WenQuanYi comes first.
PDF_FONTS = '"WenQuanYi Zen Hei", "Noto Sans CJK SC", sans-serif'
#: Hand-typed codes read best in a monospace face with distinct letters.
PDF_MONO_FONTS = '"DejaVu Sans Mono", "WenQuanYi Zen Hei Mono", monospace'
SLIPS_PER_PAGE = 10  # 2 columns x 5 rows on A4
#: One PDF holds at most this many slips; larger stations download it in parts.
MAX_SLIPS_PER_PDF = 200
QR_ERROR = "m"  # 15 % recovery: survives a fold or a smudge on a printed slip


def make_qr(url: str) -> segno.QRCode:
    return segno.make(url, error=QR_ERROR, micro=False)


def qr_png(url: str, scale: int = 10, border: int = 4) -> bytes:
    buffer = io.BytesIO()
    make_qr(url).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()


def qr_svg(url: str, border: int = 4) -> str:
    buffer = io.BytesIO()
    make_qr(url).save(
        buffer, kind="svg", border=border, xmldecl=False, svgns=True, omitsize=True, nl=False
    )
    return buffer.getvalue().decode()


def qr_data_uri(url: str, border: int = 4) -> str:
    """One pixel per module; the PDF scales it up without smoothing (image-rendering).

    weasyprint draws an embedded PNG far faster than it parses an SVG path.
    """
    return make_qr(url).png_data_uri(scale=1, border=border)


def open_link(base_url: str, quota: StationQuota) -> str:
    return base_url.rstrip("/") + reverse("respondent-open", args=[quota.open_token])


def personal_link(base_url: str, code: IssuedCode) -> str:
    return base_url.rstrip("/") + reverse("respondent-start", args=[code.token])


def code_page_link(base_url: str) -> str:
    return base_url.rstrip("/") + reverse("respondent-code")


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Everything the PDFs show is inline; refuse any other fetch (no network, no files).
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher, base_url="data:,").write_pdf()


def _common(quota: StationQuota, base_url: str) -> dict[str, Any]:
    return {
        "quota": quota,
        "wave": quota.wave,
        "station": quota.station,
        "issuing_body": settings.ISSUING_BODY,
        "code_url": code_page_link(base_url),
        "pdf_fonts": PDF_FONTS,
        "pdf_mono_fonts": PDF_MONO_FONTS,
    }


def poster_html(quota: StationQuota, base_url: str) -> str:
    link = open_link(base_url, quota)
    context = {**_common(quota, base_url), "link": link, "qr": qr_data_uri(link)}
    return render_to_string("fieldwork/invitations/poster_pdf.html", context)


def poster_pdf(quota: StationQuota, base_url: str) -> bytes:
    return render_pdf(poster_html(quota, base_url))


def slips(issued: Iterable[IssuedCode], base_url: str) -> list[dict[str, Any]]:
    rows = []
    for index, code in enumerate(issued):
        link = personal_link(base_url, code)
        place = index % SLIPS_PER_PAGE
        rows.append(
            {
                "code": code.display,
                "link": link,
                "qr": qr_data_uri(link),
                # Fixed places on the sheet: absolute positions lay out much faster
                # in weasyprint than floats, and the cut lines line up on every page.
                "col": place % 2,
                "row": place // 2,
            }
        )
    return rows


def pages(items: Sequence[Any], size: int = SLIPS_PER_PAGE) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def code_sheet_context(
    quota: StationQuota, issued: Iterable[IssuedCode], base_url: str
) -> dict[str, Any]:
    return {**_common(quota, base_url), "pages": pages(slips(issued, base_url))}


def code_list_pdf(quota: StationQuota, issued: Iterable[IssuedCode], base_url: str) -> bytes:
    context = code_sheet_context(quota, issued, base_url)
    return render_pdf(render_to_string("fieldwork/invitations/codes_pdf.html", context))
