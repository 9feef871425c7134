"""Small simulated waves for the briefing tests (the pattern of
tests/fieldwork/test_grievance_page.py): stations in two sectors and two counties, the
standard questionnaire, simulated answers bulk-inserted as complete responses."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta
from typing import Any

from django.utils import timezone

from survey_platform.fieldwork import services
from survey_platform.fieldwork.models import Wave
from survey_platform.fieldwork.releases import releases_catch_up
from survey_platform.network.models import Region, Sector
from tests.factories import StationFactory, add_simulated_responses

PHONE = "13912345678"


def make_stations(count: int = 4) -> list[Any]:
    sectors = list(Sector.objects.order_by("order")[:2])
    regions = list(Region.objects.filter(level="county").order_by("code")[:2])
    return [
        StationFactory(
            sector=sectors[i % 2], region=regions[(i // 2) % 2], frame_size=400 * (i + 1)
        )
        for i in range(count)
    ]


def make_wave(office, version, stations, code: str, previous: Wave | None = None, days=30) -> Wave:
    now = timezone.now()
    wave = services.wave_create(
        actor=office,
        code=code,
        title=f"科技工作者状况调查 {code}",
        title_en=f"Survey of S&T workers {code}",
        kind="comprehensive",
        instrument_version=version,
        opens_at=now - timedelta(days=days),
        closes_at=now + timedelta(days=30),
        previous=previous,
    )
    for station in stations:
        services.quota_set(actor=office, wave=wave, station=station, target=80)
    return services.wave_open(actor=office, wave=wave)


def add_responses(wave: Wave, stations, per_station: int = 60, seed: int = 1) -> None:
    # Personal data in an open answer must never reach a PDF (the planted phone number).
    add_simulated_responses(wave, stations, per_station, seed)
    # As after the demo's bulk import: every station's completes are released in groups
    # of at least k (fieldwork/releases.py); a remainder of fewer than k stays unreleased.
    releases_catch_up(wave)


def close(wave: Wave) -> Wave:
    """Close a wave as if its fieldwork had ended 20 days after it opened."""
    Wave.objects.filter(pk=wave.pk).update(
        status="closed", closes_at=wave.opens_at + timedelta(days=20)
    )
    wave.refresh_from_db()
    return wave


# --- reading PDFs --------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    """The text of a PDF through poppler's pdftotext (pypdf when it is absent)."""
    tool = shutil.which("pdftotext")
    if tool:
        out = subprocess.run(
            [tool, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
        )
        return out.stdout.decode("utf-8")
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdffonts(path: str) -> list[dict[str, str]]:
    """poppler's pdffonts table: name and the emb / sub / uni flags of every font."""
    out = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        words = line.split()  # name, type words, encoding, emb, sub, uni, object id, gen
        rows.append({"name": words[0], "emb": words[-5], "sub": words[-4], "uni": words[-3]})
    return rows


def embedded_fonts(data: bytes) -> dict[str, Any]:
    """BaseFont name -> fontTools TTFont of every font program embedded in the PDF,
    including fonts used only inside form XObjects (the SVG charts)."""
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    found: dict[str, Any] = {}

    def visit(resources: Any, seen: set[int]) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            name = str(font["/BaseFont"]).lstrip("/")
            if name in found:
                continue
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            desc = target["/FontDescriptor"].get_object()
            key = next(k for k in desc if str(k).startswith("/FontFile"))
            found[name] = TTFont(io.BytesIO(desc[key].get_object().get_data()))
        for ref in (resources.get("/XObject") or {}).values():
            obj = ref.get_object()
            ident = id(obj)
            if ident in seen:
                continue
            seen.add(ident)
            visit(obj.get("/Resources"), seen)

    for page in reader.pages:
        visit(page.get("/Resources"), set())
    return found


def glyph_drawn(font: Any, char: str) -> bool:
    """The font maps ``char`` to a real glyph with an outline (not .notdef, not empty)."""
    cmap = font.getBestCmap() or {}
    name = cmap.get(ord(char))
    if name is None or name == ".notdef":
        return False
    if "CFF " in font:
        cs = font["CFF "].cff.topDictIndex[0].CharStrings[name]
        cs.decompile()
        return len(cs.program) > 1  # more than a bare endchar
    glyf = font["glyf"][name]
    return glyf.numberOfContours != 0
