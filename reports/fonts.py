"""The CJK fonts of the PDFs, found through fontconfig, and the house style of the charts.

Body text is set in a serif face (宋体-like), headings, tables and charts in a sans face
(黑体-like), both Noto CJK SC by default (``settings.BRIEFING_FONTS`` may name others).
weasyprint resolves the same family names through fontconfig and embeds subsets of the
faces it uses; the charts are SVG with live text (``svg.fonttype = none``) in the sans
family, so weasyprint typesets their labels with the very same embedded font — charts
stay vector, their text is searchable, and no label can fall back to a box.

A family fontconfig does not know raises :class:`FontMissing` naming it, before any page
is laid out: a PDF with silently substituted fonts is never produced.

Measured on the 2-core machine (DESIGN.md §9 warns about CFF subsetting): weasyprint 70
subsets Noto CJK SC from the TTC collections in about 0.5 s per face for a briefing's
few hundred distinct characters, so no pre-subset copy is kept.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from survey_platform.core.errors import SurveyError
from survey_platform.network.charts import PALETTE as WEB_PALETTE

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

DEFAULT_FONTS = {"serif": "Noto Serif CJK SC", "sans": "Noto Sans CJK SC"}

#: Paul Tol's colour-blind-safe "muted" scheme: the house palette of the web charts.
PALETTE = tuple(WEB_PALETTE)
INK = "#1d2433"
MUTED = "#5b6474"
RULE = "#c8ccd4"
ACCENT = "#b0262b"  # the red of the masthead (红头)


class FontMissing(SurveyError):
    """A font the PDFs need is not installed."""


@dataclass(frozen=True)
class FontFace:
    family: str
    path: str
    index: int


def font_families() -> dict[str, str]:
    configured = getattr(settings, "BRIEFING_FONTS", None) or {}
    return {**DEFAULT_FONTS, **configured}


def required_fonts() -> dict[str, FontFace]:
    """Every font role resolved to an installed face, or FontMissing naming the first gap."""
    return {role: find_family(family) for role, family in font_families().items()}


def find_family(family: str) -> FontFace:
    face = _lookup(family)
    if face is None:
        raise FontMissing(
            _(
                "The font “%(family)s” is not installed (looked up through fontconfig). "
                "Install it (Debian: apt-get install fonts-noto-cjk) and generate again."
            )
            % {"family": family}
        )
    return face


def _lookup(family: str) -> FontFace | None:
    # Only hits are remembered: a font installed later is found without a restart.
    if family not in _FOUND:
        face = _ask_fontconfig(family)
        if face is None:
            return None
        _FOUND[family] = face
    return _FOUND[family]


_FOUND: dict[str, FontFace] = {}


def _ask_fontconfig(family: str) -> FontFace | None:
    tool = shutil.which("fc-list")
    if tool is None:
        return None
    out = subprocess.run(
        [tool, "--format", "%{family}\t%{file}\t%{index}\t%{weight}\n", f":family={family}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    ).stdout
    faces = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != 4:
            continue
        names = {n.strip() for n in parts[0].split(",")}
        if family in names:
            weight = int(float(parts[3] or 80))
            faces.append((abs(weight - 80), parts[1], int(parts[2] or 0)))
    if not faces:
        return None
    _distance, path, index = min(faces)  # the regular weight when there is one
    return FontFace(family, path, index)


def printable(text: str) -> str:
    """``text`` without the characters the body font cannot draw (emoji in open answers):
    a PDF never shows a missing-glyph box. Whitespace left doubled is collapsed."""
    covered = _coverage(font_families()["serif"])
    kept = "".join(ch for ch in text if ch.isspace() or ord(ch) in covered)
    return " ".join(kept.split()) if kept != text else text


_COVERAGE: dict[str, frozenset[int]] = {}


def _coverage(family: str) -> frozenset[int]:
    if family not in _COVERAGE:
        from fontTools.ttLib import TTFont

        face = find_family(family)
        font = TTFont(face.path, fontNumber=face.index, lazy=True)
        _COVERAGE[family] = frozenset(font.getBestCmap() or {})
        font.close()
    return _COVERAGE[family]


def chart_style() -> dict[RcKeyType, Any]:
    """matplotlib rcParams of the house style (used inside ``rc_context``)."""
    families = font_families()
    return {
        "font.family": [families["sans"]],
        "font.size": 8.5,
        "svg.fonttype": "none",
        "svg.hashsalt": "briefing",  # stable ids: the same figures give the same SVG
        "axes.unicode_minus": False,
        "axes.edgecolor": RULE,
        "axes.labelcolor": INK,
        "axes.titlesize": 9.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": MUTED,
        "ytick.color": INK,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8.5,
        "legend.frameon": False,
        "legend.fontsize": 8,
        "figure.dpi": 100,
        "savefig.transparent": True,
    }
