"""Server-side SVG for the monitoring pages: completes per day (bars) with the running
total against the target (line), drawn by hand like the coverage chart
(survey_platform/network/charts.py) and with its colour-blind-safe palette: a small inline
vector graphic with no JavaScript, no font files and labels in the page's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from survey_platform.network.charts import PALETTE

from .monitoring import DayCount

BAR_COLOUR = PALETTE[1]
LINE_COLOUR = PALETTE[0]
TARGET_COLOUR = PALETTE[6]
MAX_DATE_LABELS = 8


@dataclass(frozen=True)
class DayBar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class AxisLabel:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class DailyChart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    bars: list[DayBar]
    line_points: str  # SVG polyline of the running total
    target_y: float | None
    x_labels: list[AxisLabel]
    left_labels: list[AxisLabel]  # completes per day
    right_labels: list[AxisLabel]  # running total / target
    bar_colour: str = BAR_COLOUR
    line_colour: str = LINE_COLOUR
    target_colour: str = TARGET_COLOUR

    @property
    def bottom(self) -> int:
        return self.top + self.plot_height

    @property
    def right(self) -> int:
        return self.left + self.plot_width


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^k at or above ``value`` (a readable axis maximum)."""
    value = max(1, value)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def daily_chart(days: Sequence[DayCount], target: int | None, width: int = 820) -> DailyChart:
    left, right_margin, top, bottom_margin, height = 48, 64, 14, 46, 260
    plot_width, plot_height = width - left - right_margin, height - top - bottom_margin
    bottom = top + plot_height
    n = max(1, len(days))
    slot = plot_width / n
    bar_width = max(1.0, slot * 0.8)
    daily_max = _nice_ceiling(max((d.completes for d in days), default=0))
    running_max = _nice_ceiling(max(target or 0, days[-1].cumulative if days else 0))

    bars, points = [], []
    for i, d in enumerate(days):
        h = plot_height * d.completes / daily_max
        x = left + i * slot + (slot - bar_width) / 2
        bars.append(DayBar(x, bottom - h, bar_width, h, f"{d.day.isoformat()}: {d.completes}"))
        cx = left + (i + 0.5) * slot
        points.append(f"{cx:.1f},{bottom - plot_height * d.cumulative / running_max:.1f}")

    every = max(1, -(-len(days) // MAX_DATE_LABELS))
    x_labels = [
        AxisLabel(left + (i + 0.5) * slot, bottom + 16, d.day.strftime("%m-%d"))
        for i, d in enumerate(days)
        if i % every == 0
    ]
    left_labels = [
        AxisLabel(left - 6, bottom - plot_height * f + 4, str(round(daily_max * f)))
        for f in (0, 0.5, 1)
        if f == 0 or daily_max * f == int(daily_max * f)
    ]
    target_y = bottom - plot_height * target / running_max if target else None
    right_labels = [
        AxisLabel(left + plot_width + 6, bottom - plot_height * f + 4, str(round(running_max * f)))
        for f in (0, 1)
    ]
    if target_y is not None:
        # The target's own value on the right axis, replacing the maximum when they touch.
        if target_y - top < 14:
            right_labels.pop()
        right_labels.append(AxisLabel(left + plot_width + 6, target_y + 4, str(target)))
    return DailyChart(
        width,
        height,
        left,
        top,
        plot_width,
        plot_height,
        bars,
        " ".join(points),
        target_y,
        x_labels,
        left_labels,
        right_labels,
    )
