"""View models and server-side SVG for the grievances page: a ranked bar chart with 95%
confidence whiskers and a grievance x sector heat map, drawn by hand like the monitoring
chart (:mod:`.charts`) with the colour-blind-safe palette: no JavaScript, no fonts, labels
in the page's language. Only published (unsuppressed) figures reach them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language

from analysis.grievances import GrievanceRow, GrievanceTable
from survey_platform.network.charts import PALETTE

BAR_COLOUR = PALETTE[1]
WHISKER_COLOUR = PALETTE[0]
HEAT_LOW = (247, 249, 252)  # the page background, for 0%
HEAT_HIGH = (51, 34, 136)  # PALETTE[0]


def pick(labels: dict[str, str] | None) -> str:
    """The label in the page's language (Chinese when there is no English)."""
    labels = labels or {}
    if (get_language() or "").startswith("en"):
        return labels.get("en") or labels.get("zh-hans") or ""
    return labels.get("zh-hans") or labels.get("en") or ""


@dataclass(frozen=True)
class BarRow:
    code: str
    label: str
    y: float
    width: float
    ci_x1: float
    ci_x2: float
    value: str
    value_x: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    row_height: int
    bar_height: int
    rows: list[BarRow]
    ticks: list[tuple[float, str]]
    colour: str = BAR_COLOUR
    whisker: str = WHISKER_COLOUR

    @property
    def bottom(self) -> int:
        return self.top + self.row_height * len(self.rows)


def bar_chart(table: GrievanceTable, width: int = 820) -> BarChart:
    """Ranked codes, best first: bar = weighted share, whisker = 95% CI."""
    rows = [r for r in table.ranked if r.prevalence is not None]
    left, right, top, row_h, bar_h = 56, 70, 8, 24, 14
    plot = width - left - right
    top_value = max((r.ci_u or r.prevalence or 0.0) for r in rows) if rows else 0.0
    scale_max = min(1.0, max(0.1, -(-top_value * 10 // 1) / 10))  # next tenth up
    out = []
    for i, r in enumerate(rows):
        p = r.prevalence or 0.0
        lo = r.ci_l if r.ci_l is not None else p
        hi = r.ci_u if r.ci_u is not None else p
        y = top + i * row_h
        out.append(
            BarRow(
                r.code,
                pick(r.label),
                y,
                plot * p / scale_max,
                left + plot * lo / scale_max,
                left + plot * hi / scale_max,
                f"{100 * p:.1f}%",
                left + plot * hi / scale_max + 6,
            )
        )
    steps = round(scale_max * 10)
    every = 2 if steps > 5 else 1
    ticks = [
        (left + plot * (s / 10) / scale_max, f"{10 * s}%")
        for s in range(0, steps + 1)
        if s % every == 0
    ]
    height = top + row_h * len(out) + 26
    return BarChart(width, height, left, top, plot, row_h, bar_h, out, ticks)


@dataclass(frozen=True)
class HeatCell:
    text: str
    fill: str
    ink: str
    title: str
    # The page colours the cell by a class, heat-0 … heat-10 or heat-na (css/site.css):
    # the Content-Security-Policy allows no style attribute (core/csp.py).
    shade: str = "na"


@dataclass(frozen=True)
class HeatRow:
    code: str
    label: str
    cells: list[HeatCell]


@dataclass(frozen=True)
class HeatMap:
    sectors: list[str]
    rows: list[HeatRow]


def _shade(share: float, top: float) -> str:
    return str(round(10 * max(0.0, min(1.0, share / top)))) if top > 0 else "0"


def _mix(share: float, top: float) -> str:
    t = max(0.0, min(1.0, share / top)) if top > 0 else 0.0
    rgb = [round(lo + (hi - lo) * t) for lo, hi in zip(HEAT_LOW, HEAT_HIGH, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def heat_map(table: GrievanceTable, sectors: dict[str, Any], suppressed: str) -> HeatMap | None:
    """Ranked codes x sectors; a suppressed cell shows ``suppressed`` and no colour."""
    levels = sectors.get("levels") or []
    cells = sectors.get("cells") or {}
    if not levels or not cells:
        return None
    rows: list[GrievanceRow] = [r for r in table.ranked if r.code in cells]
    shares = [v[1] for r in rows for v in cells[r.code].values() if v and v[1] is not None]
    top = max(shares, default=0.0)
    out = []
    for r in rows:
        line = []
        for level in levels:
            n, share = (cells[r.code].get(level["code"]) or [0, None])[:2]
            if share is None:
                line.append(HeatCell(suppressed, "#eef1f6", "#5b6474", suppressed))
                continue
            dark = top > 0 and share / top > 0.55
            line.append(
                HeatCell(
                    f"{100 * share:.0f}",
                    _mix(share, top),
                    "#ffffff" if dark else "#1d2433",
                    f"{pick(level['label'])} · {r.code}: {100 * share:.1f}% (n = {n})",
                    _shade(share, top),
                )
            )
        out.append(HeatRow(r.code, pick(r.label), line))
    return HeatMap([pick(level["label"]) for level in levels], out)


@dataclass(frozen=True)
class RankedRow:
    """One line of the ranked table, with its label in the page's language."""

    row: GrievanceRow
    label: str
    direction: str  # "up", "down", "" (no change column or no difference)
    share: str = ""  # "41.2%"
    ci: str = ""  # "39.8–42.6%"
    change: str = ""  # "+3.1 pp"
    p_adjusted: str = ""  # "0.0123" or "< 0.0001"


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.1f}"


def ranked_rows(table: GrievanceTable) -> list[RankedRow]:
    out = []
    for r in table.rows:
        d = r.change.difference if r.change else None
        direction = "" if not d else ("up" if d > 0 else "down")
        share = f"{_pct(r.prevalence)}%" if r.prevalence is not None else ""
        ci = f"{_pct(r.ci_l)}–{_pct(r.ci_u)}%" if r.ci_l is not None and r.ci_u is not None else ""
        change = f"{100 * d:+.1f}" if d is not None else ""
        q = r.change.p_adjusted if r.change else None
        p = "" if q is None else ("< 0.0001" if q < 0.0001 else f"{q:.4f}")
        out.append(RankedRow(r, pick(r.label), direction, share, ci, change, p))
    return out
