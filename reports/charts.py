"""The briefing's figures: matplotlib, drawn as SVG with live text in the house style.

One style for every figure (:func:`reports.fonts.chart_style`): the sans CJK family, Paul
Tol's colour-blind-safe "muted" palette, light rules, no chart junk. SVG text stays text
(``svg.fonttype = none``): weasyprint sets it in the same embedded font as the page, so
the figures are vector, searchable and never show missing-glyph boxes. Figures are drawn
on :class:`matplotlib.figure.Figure` objects (no pyplot state), so jobs in threads do not
share a current figure.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from datetime import date

import matplotlib
import matplotlib.dates
import matplotlib.patches
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .content_types import GrievanceLine, HeatData, TrendData
from .fonts import INK, MUTED, PALETTE, RULE, chart_style
from .phrases import Phrases

matplotlib.use("svg")

WIDTH = 6.3  # inches: the text width of an A4 page with the briefing's margins
LINE_COLOURS = [PALETTE[i] for i in (0, 2, 6, 4, 7, 1, 3, 8)]
HEAT = LinearSegmentedColormap.from_list("house", ["#f3f4f9", PALETTE[1], PALETTE[0]])
SUPPRESSED_FILL = "#eceef2"
# Light bars, so that the dark confidence whiskers stay visible across them.
COMMON, OTHER = PALETTE[1], "#d9dbe3"


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.04, metadata={"Date": None})
    text = buf.getvalue()
    return text[text.index("<svg") :]  # inline: no XML prolog or doctype


def _percent_axis(axis: matplotlib.axis.Axis) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))


def _wrap(label: str, ph: Phrases, width: int) -> str:
    if ph.is_zh:
        return "\n".join(label[i : i + width] for i in range(0, len(label), width))
    return "\n".join(textwrap.wrap(label, width=width * 3)) or label


def ranked_bars(lines: Sequence[GrievanceLine], ph: Phrases) -> str:
    """Weighted share of each ranked grievance with its 95% CI; common ones dark."""
    rows = [g for g in lines if g.share is not None]
    with matplotlib.rc_context(chart_style()):
        fig = Figure(figsize=(WIDTH, 0.3 * len(rows) + 0.7))
        ax = fig.add_subplot()
        y = np.arange(len(rows))[::-1]
        share = np.array([100 * (g.share or 0) for g in rows])
        lo = np.array([100 * (g.ci_l if g.ci_l is not None else g.share or 0) for g in rows])
        hi = np.array([100 * (g.ci_u if g.ci_u is not None else g.share or 0) for g in rows])
        colours = [COMMON if g.common else OTHER for g in rows]
        ax.barh(y, share, height=0.62, color=colours, zorder=2)
        ax.errorbar(
            share, y, xerr=[share - lo, hi - share], fmt="none", ecolor=INK, elinewidth=0.8,
            capsize=2.2, capthick=0.8, zorder=3,
        )  # fmt: skip
        for yi, h, v in zip(y, hi, share, strict=True):
            ax.text(h + 0.8, yi, f"{v:.1f}", va="center", fontsize=7.5, color=INK)
        ax.set_yticks(y, [_wrap(g.short, ph, 20) for g in rows])
        ax.set_xlim(0, min(100, max(hi, default=10) * 1.12 + 4))
        ax.set_ylim(-0.6, len(rows) - 0.4)
        _percent_axis(ax.xaxis)
        ax.set_xlabel(ph("axis_share"), color=MUTED)
        ax.grid(axis="x", color=RULE, linewidth=0.5, zorder=0)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.legend(
            handles=[
                Patch(color=COMMON, label=ph("g_legend_common")),
                Patch(color=OTHER, label=ph("g_legend_other")),
            ],
            loc="lower right",
        )
        return _svg(fig)


def heat_map(heat: HeatData, ph: Phrases) -> str:
    """Leading grievances x sectors, weighted share in %; withheld cells marked "—"."""
    values = np.array([[np.nan if v is None else 100 * v for v in r.cells] for r in heat.rows])
    top = np.nanmax(values) if np.isfinite(values).any() else 1.0
    with matplotlib.rc_context(chart_style()):
        fig = Figure(figsize=(WIDTH, 0.36 * len(heat.rows) + 1.3))
        ax = fig.add_subplot()
        masked = np.ma.masked_invalid(values)
        ax.imshow(np.zeros_like(values), cmap="Greys", vmin=0, vmax=20, aspect="auto")
        ax.imshow(masked, cmap=HEAT, vmin=0, vmax=top, aspect="auto")
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                v = values[i, j]
                if np.isnan(v):
                    ax.add_patch(
                        matplotlib.patches.Rectangle(
                            (j - 0.5, i - 0.5), 1, 1, color=SUPPRESSED_FILL, zorder=2
                        )
                    )
                    ax.text(j, i, "—", ha="center", va="center", color=MUTED, zorder=3)
                    continue
                ink = "#ffffff" if v / top > 0.55 else INK
                ax.text(j, i, f"{v:.0f}", ha="center", va="center", color=ink, fontsize=8)
        ax.set_yticks(range(len(heat.rows)), [r.short for r in heat.rows])
        ax.set_xticks(
            range(len(heat.sectors)), heat.sectors, rotation=35, ha="right", rotation_mode="anchor"
        )
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_xticks(np.arange(-0.5, len(heat.sectors)), minor=True)
        ax.set_yticks(np.arange(-0.5, len(heat.rows)), minor=True)
        ax.grid(which="minor", color="#ffffff", linewidth=1.5)
        ax.tick_params(which="minor", length=0)
        return _svg(fig)


def trend_chart(trend: TrendData, ph: Phrases) -> str:
    """Each leading grievance's weighted share across waves, with 95% CI bars."""
    x = np.arange(len(trend.waves))
    with matplotlib.rc_context(chart_style()):
        fig = Figure(figsize=(WIDTH, 3.0))
        ax = fig.add_subplot()
        ends: list[tuple[float, str, str]] = []
        for k, line in enumerate(trend.lines):
            colour = LINE_COLOURS[k % len(LINE_COLOURS)]
            shift = (k - (len(trend.lines) - 1) / 2) * 0.035
            ys = np.array([np.nan if v is None else 100 * v for v in line.shares])
            lo = np.array([np.nan if v is None else 100 * v for v in line.ci_l])
            hi = np.array([np.nan if v is None else 100 * v for v in line.ci_u])
            ok = np.isfinite(ys)
            ax.plot(x[ok] + shift, ys[ok], color=colour, linewidth=1.6, marker="o", ms=3.5)
            bars = ok & np.isfinite(lo) & np.isfinite(hi)
            ax.errorbar(
                x[bars] + shift, ys[bars], yerr=[ys[bars] - lo[bars], hi[bars] - ys[bars]],
                fmt="none", ecolor=colour, elinewidth=0.8, capsize=2, alpha=0.8,
            )  # fmt: skip
            last = int(np.flatnonzero(ok)[-1])
            ends.append((float(ys[last]), line.short, colour))
        _label_ends(fig, ax, ends, float(x[-1]) + 0.12)
        ax.set_xticks(x, trend.waves)
        ax.set_xlim(-0.3, len(x) - 1 + 0.9 + (0.5 if not ph.is_zh else 0.2))
        _percent_axis(ax.yaxis)
        ax.set_ylabel(ph("axis_share"), color=MUTED)
        ax.yaxis.set_major_locator(MaxNLocator(6))
        ax.grid(axis="y", color=RULE, linewidth=0.5)
        ax.tick_params(axis="x", length=0)
        return _svg(fig)


def _label_ends(
    fig: Figure, ax: matplotlib.axes.Axes, ends: list[tuple[float, str, str]], x: float
) -> None:
    """Direct labels at the lines' right ends, nudged apart so they never overlap: the
    gap is one label height (9 pt) in data units of the final y range."""
    if not ends:
        return
    low, high = ax.get_ylim()
    low, high = min(low, min(e[0] for e in ends) - 3), max(high, max(e[0] for e in ends) + 3)
    for _round in range(3):  # placing may widen the range, which shrinks the gap
        height_pt = ax.get_position().height * fig.get_figheight() * 72
        gap = (high - low) * 9.5 / height_pt
        placed: list[float] = []
        for y, _label, _colour in sorted(ends, key=lambda e: e[0]):
            placed.append(max(y, placed[-1] + gap) if placed else y)
        if placed[-1] <= high - gap / 2:
            break
        high = placed[-1] + gap
    ax.set_ylim(low, high)
    for pos, (_y, label, colour) in zip(placed, sorted(ends, key=lambda e: e[0]), strict=True):
        ax.text(x, pos, label, va="center", fontsize=7.5, color=colour)


def progress_chart(days: Sequence[tuple[date, int]], target: int, ph: Phrases) -> str:
    """A station's completes to date, day by day, against its quota."""
    with matplotlib.rc_context(chart_style()):
        fig = Figure(figsize=(WIDTH, 2.1))
        ax = fig.add_subplot()
        # As datetime64: matplotlib's date converter takes both, its stubs only arrays.
        xs = np.array([d for d, _n in days], dtype="datetime64[D]")
        ys = [n for _d, n in days]
        if xs.size:
            ax.fill_between(xs, ys, color=PALETTE[1], alpha=0.45, linewidth=0, step="post")
            ax.step(xs, ys, where="post", color=PALETTE[0], linewidth=1.6)
            ax.axhline(target, color=PALETTE[6], linestyle="--", linewidth=1.1)
            ax.text(xs[0], target, " " + ph("sr_target"), va="bottom", color=PALETTE[6])
        ax.set_ylim(0, max(target, max(ys, default=0)) * 1.15 + 1)
        ax.set_ylabel(ph("sr_axis_completes"), color=MUTED)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: _day_label(v)))
        ax.xaxis.set_major_locator(MaxNLocator(8))
        ax.grid(axis="y", color=RULE, linewidth=0.5)
        return _svg(fig)


def _day_label(value: float) -> str:
    # matplotlib.dates is unannotated (no stubs, no inline types).
    return matplotlib.dates.num2date(value).strftime("%m-%d")  # type: ignore[no-untyped-call]


def station_vs_city(rows: Sequence[tuple[str, float | None, float | None]], ph: Phrases) -> str:
    """Paired bars: the station's share and the city's, per grievance (None: withheld)."""
    with matplotlib.rc_context(chart_style()):
        fig = Figure(figsize=(WIDTH, 0.42 * len(rows) + 0.7))
        ax = fig.add_subplot()
        y = np.arange(len(rows))[::-1]
        station = [100 * (s or 0) for _l, s, _c in rows]
        city = [100 * (c or 0) for _l, _s, c in rows]
        ax.barh(y + 0.19, station, height=0.36, color=PALETTE[6], label=ph("sr_legend_station"))
        ax.barh(y - 0.19, city, height=0.36, color=PALETTE[0], label=ph("sr_legend_city"))
        for yi, (_l, s, c) in zip(y, rows, strict=True):
            for off, v in ((0.19, s), (-0.19, c)):
                text = "—" if v is None else f"{100 * v:.1f}"
                ax.text((100 * v if v else 0) + 0.8, yi + off, text, va="center", fontsize=7)
        ax.set_yticks(y, [_wrap(label, ph, 14) for label, _s, _c in rows])
        top = max([*station, *city, 10])
        ax.set_xlim(0, min(100, top * 1.15 + 4))
        _percent_axis(ax.xaxis)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.grid(axis="x", color=RULE, linewidth=0.5)
        ax.legend(loc="lower right")
        return _svg(fig)
