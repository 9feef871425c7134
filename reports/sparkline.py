"""Tiny inline SVG trend lines for the leadership portal (no fonts, no JavaScript)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 88, 22, 3


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    points: str  # SVG polyline of the known values, left to right
    last_x: float
    last_y: float
    count: int


def sparkline(values: Sequence[float | None]) -> Sparkline | None:
    """A line through the known values (gaps skipped); None with fewer than one value."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if not known:
        return None
    lo = min(v for _i, v in known)
    hi = max(v for _i, v in known)
    span = (hi - lo) or 1.0
    steps = max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = PAD + (WIDTH - 2 * PAD) * (i / steps if len(values) > 1 else 1.0)
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * ((v - lo) / span if hi > lo else 0.5)
        return round(x, 1), round(y, 1)

    coords = [xy(i, v) for i, v in known]
    points = " ".join(f"{x},{y}" for x, y in coords)
    return Sparkline(WIDTH, HEIGHT, points, coords[-1][0], coords[-1][1], len(known))
