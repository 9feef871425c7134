"""QR codes and PDFs: the open-link QR decodes to the right URL's matrix, the poster and
the code sheet are real A4 PDFs with the link and codes in them, and stay fast.

Timings measured while writing this (2 shared cores, other test suites running, warm
fonts; WenQuanYi Zen Hei, the default, vs Noto Sans CJK SC for the body text):
poster 0.13–0.4 s (Noto 0.15 s, but a 7x larger PDF); code sheet of 10 slips 0.2–0.7 s,
100 slips 1.7–4 s, 200 slips (one PDF part) 3–4.5 s, 500 slips 8–14 s — hence PDFs of at
most 200 slips. The first PDF of a process pays ~1 s for loading the fonts.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time

import pytest
import segno
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image

from survey_platform.fieldwork import codes, posters
from survey_platform.fieldwork import invitations as svc
from survey_platform.fieldwork.codes import IssuedCode
from survey_platform.fieldwork.models import Invitation
from tests.conftest import client_for
from tests.fieldwork.test_invitations import make_quotas, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def quota_a(office, small_definition, station_a, station_b):
    return make_quotas(office, small_definition, [station_a, station_b])[0]


def modules(png: bytes, scale: int, border: int) -> list[list[bool]]:
    """Dark/light of each module, sampled at its centre."""
    image = Image.open(io.BytesIO(png)).convert("L")
    size = image.width // scale - 2 * border
    return [
        [
            image.getpixel(((border + x) * scale + scale // 2, (border + y) * scale + scale // 2))
            < 128
            for x in range(size)
        ]
        for y in range(size)
    ]


def pdf_text(data: bytes) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


def pdf_info(data: bytes) -> dict[str, str] | None:
    if shutil.which("pdfinfo") is None:
        return None
    done = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    pairs = (line.split(":", 1) for line in done.stdout.decode().splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def pdf_fonts(data: bytes, folder) -> list[str] | None:
    if shutil.which("pdffonts") is None:
        return None
    path = folder / "doc.pdf"
    path.write_bytes(data)
    done = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True)
    return done.stdout.decode().splitlines()[2:]


def page_count(data: bytes, html: str) -> int:
    """From poppler when installed, else by laying the HTML out again."""
    info = pdf_info(data)
    if info is not None:
        return int(info["Pages"])
    from weasyprint import HTML

    return len(HTML(string=html).render().pages)


def test_poster_png_is_the_qr_of_the_open_link(quota_a, officer_a):
    response = client_for(officer_a).get(url("poster-png", quota_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    link = "http://testserver" + reverse("respondent-open", args=[quota_a.open_token])
    expected = [[bool(v) for v in row] for row in segno.make(link, error="m").matrix]
    assert modules(response.content, scale=10, border=4) == expected
    image = Image.open(io.BytesIO(response.content))
    assert image.width == image.height == (len(expected) + 8) * 10


def test_png_download_has_a_filename(quota_a, officer_a):
    response = client_for(officer_a).get(url("poster-png", quota_a) + "?download=1")
    assert "attachment" in response["Content-Disposition"]


def test_qr_svg_and_data_uri():
    svg = posters.qr_svg("https://example.cn/s/x/")
    assert svg.startswith("<svg") and "viewBox" in svg
    assert posters.qr_data_uri("https://example.cn/s/x/").startswith("data:image/png;base64,")


def test_poster_pdf_has_the_link_station_and_issuer(quota_a, officer_a, settings):
    settings.ISSUING_BODY = "测试市科学技术协会"
    started = time.perf_counter()
    response = client_for(officer_a).get(url("poster-pdf", quota_a))
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF")
    assert page_count(body, posters.poster_html(quota_a, "http://testserver/")) == 1
    info = pdf_info(body)
    if info is not None:
        assert "(A4)" in info["Page size"]
    assert elapsed < 15, f"poster took {elapsed:.1f} s"
    text = pdf_text(body)
    if text is not None:
        compact = "".join(text.split())
        assert reverse("respondent-open", args=[quota_a.open_token]) in compact
        assert "甲站" in compact
        assert "测试市科学技术协会" in compact
        assert "2026年测试调查" in compact


def test_code_sheet_pdf_pages_codes_and_fonts(quota_a, officer_a, tmp_path):
    started = time.perf_counter()
    # Issuing printed codes answers with their slips (the one time the codes are shown).
    response = client_for(officer_a).post(url("codes-issue", quota_a), {"count": "23"})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    body = response.content
    assert body.startswith(b"%PDF")
    # The same layout with stand-in codes (only laid out again without poppler).
    stand_ins = [IssuedCode(inv, "x" * 22, "A" * 10) for inv in Invitation.objects.all()]
    sheet = render_to_string(
        "fieldwork/invitations/codes_pdf.html",
        posters.code_sheet_context(quota_a, stand_ins, "http://testserver/"),
    )
    assert page_count(body, sheet) == 3  # 10 slips a page
    fonts = pdf_fonts(body, tmp_path)
    if fonts is not None:  # the CJK font is embedded as a subset
        assert any("WenQuanYi" in line and " yes yes " in line for line in fonts)
    assert elapsed < 20, f"23 slips took {elapsed:.1f} s"
    text = pdf_text(body)
    if text is not None:
        compact = "".join(text.split())
        printed = set(re.findall(r"[A-Z0-9]{5}-[A-Z0-9]{5}", compact))
        opened = {codes.invitation_by_short_code(code) for code in printed}
        assert opened == set(Invitation.objects.all())  # each slip has its own code
        assert "/code/" in compact


def test_slips_link_to_the_personal_page(quota_a, officer_a):
    issued = svc.codes_issue(actor=officer_a, quota=quota_a, count=12)
    context = posters.code_sheet_context(quota_a, issued, "https://survey.example.cn/")
    first = context["pages"][0][0]
    assert first["link"] == f"https://survey.example.cn/a/{issued[0].token}/"
    assert first["code"] == issued[0].display
    assert [len(page) for page in context["pages"]] == [10, 2]
    assert [(s["col"], s["row"]) for s in context["pages"][1]] == [(0, 0), (1, 0)]
    assert context["code_url"] == "https://survey.example.cn/code/"


def test_pdfs_fetch_nothing_from_outside(quota_a):
    html = '<html><body><img src="http://example.invalid/x.png"><p>x</p></body></html>'
    started = time.perf_counter()
    assert posters.render_pdf(html).startswith(b"%PDF")
    assert time.perf_counter() - started < 5  # refused at once, no network wait
