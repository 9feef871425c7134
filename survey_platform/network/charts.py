"""Server-side SVG for the coverage page: stacked bars of stations per region by sector.

Drawn by hand rather than with matplotlib because it is a small, crisp, inline vector
graphic that must follow the page's language and needs no font files.
"""

from __future__ import annotations

from dataclasses import dataclass

from .selectors import Coverage

# Paul Tol's "muted" scheme: distinguishable under the common colour-vision deficiencies.
PALETTE = [
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
    "#BBBBBB",
]


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    colour: str
    title: str


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: float
    bars: list[Bar]
    total: int
    total_x: float


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str
    x: float
    y: float


@dataclass(frozen=True)
class CoverageChart:
    width: int
    height: int
    label_width: int
    rows: list[ChartRow]
    legend: list[LegendItem]
    bar_height: int


def coverage_chart(coverage: Coverage, width: int = 820) -> CoverageChart:
    label_width, bar_height, gap, legend_row = 150, 22, 10, 22
    plot_width = width - label_width - 50
    biggest = max((row.total.stations for row in coverage.rows), default=0) or 1
    scale = plot_width / biggest
    rows = []
    for i, row in enumerate(coverage.rows):
        x, bars = float(label_width), []
        for j, cell in enumerate(row.cells):
            if cell.empty:
                continue
            w = cell.stations * scale
            sector = coverage.sectors[j]
            bars.append(Bar(x, w, PALETTE[j % len(PALETTE)], f"{sector}: {cell.stations}"))
            x += w
        y = i * (bar_height + gap)
        rows.append(ChartRow(str(row.region), y, bars, row.total.stations, x + 6))
    legend_top = len(rows) * (bar_height + gap) + 10
    per_line = 3
    legend = [
        LegendItem(
            str(sector),
            PALETTE[j % len(PALETTE)],
            label_width + (j % per_line) * ((width - label_width) / per_line),
            legend_top + (j // per_line) * legend_row,
        )
        for j, sector in enumerate(coverage.sectors)
    ]
    lines = (len(coverage.sectors) + per_line - 1) // per_line
    height = legend_top + lines * legend_row + 10
    return CoverageChart(width, height, label_width, rows, legend, bar_height)
