"""The sections of a briefing's content after the findings (see :mod:`reports.content`)."""

from __future__ import annotations

import re
from typing import Any

from analysis.grievances import GrievanceRow, GrievanceTable, Hotspot

from .content_types import (
    Action,
    GrievanceLine,
    HeatData,
    HeatRow,
    HotspotLine,
    QuoteLine,
    TrendData,
    TrendLine,
)
from .fonts import printable
from .formatting import Numbers
from .inputs import BriefingInputs
from .phrases import Phrases

HEAT_ROWS = 10
TREND_LINES = 6
MAX_HOTSPOTS = 8
MIN_QUOTES, MAX_QUOTES = 3, 6
#: Quotes shorter than this (「收入太低」) say less than the figures; they come last.
QUOTE_MIN_CHARS = 15
MAX_ACTIONS, MIN_ACTIONS = 5, 3
CN_NUMBERS = "一二三四五六七八九十"


def short_label(label: str) -> str:
    """The label without its parenthesised examples (考核评价体系不合理（唯论文…）)."""
    return re.split(r"（| \(", label, maxsplit=1)[0].strip()


def grievance_lines(table: GrievanceTable, ph: Phrases, num: Numbers) -> list[GrievanceLine]:
    out = []
    for r in table.rows:
        label = ph.label(r.label)
        c = r.change
        d = c.difference if c is not None else None
        sig = bool(c is not None and c.significant)
        change = "" if d is None else f"{100 * d:+.1f}" + ("*" if sig else "")
        out.append(
            GrievanceLine(
                rank=r.rank,
                code=r.code,
                label=label,
                short=short_label(label),
                share=r.prevalence,
                ci_l=r.ci_l,
                ci_u=r.ci_u,
                n=r.n,
                breadth=r.breadth,
                common=r.common,
                change=d,
                change_significant=sig,
                share_text=num.pct(r.prevalence),
                ci_text=(
                    f"{100 * r.ci_l:.1f}–{100 * r.ci_u:.1f}"
                    if r.ci_l is not None and r.ci_u is not None
                    else ph("suppressed")
                ),
                change_text=change,
            )
        )
    return out


def heat_data(table: GrievanceTable, sectors: dict[str, Any], ph: Phrases) -> HeatData | None:
    levels = sectors.get("levels") or []
    cells = sectors.get("cells") or {}
    rows = [r for r in table.ranked if r.code in cells and r.prevalence is not None]
    if not levels or not rows:
        return None
    out = []
    for r in rows[:HEAT_ROWS]:
        line = []
        for level in levels:
            value = cells[r.code].get(level["code"]) or [0, None]
            line.append(value[1])
        out.append(HeatRow(r.code, short_label(ph.label(r.label)), line))
    return HeatData([ph.label(lv["label"]) for lv in levels], out)


def trend_data(inputs: BriefingInputs, ranked: list[GrievanceRow], ph: Phrases) -> TrendData | None:
    """The leading grievances and every significant mover, over the trend waves."""
    if len(inputs.trend_waves) < 2:
        return None
    chosen = [r for r in ranked[:4]]
    movers = [r for r in ranked if r.change and r.change.significant and r not in chosen]
    chosen += movers[: max(0, TREND_LINES - len(chosen))]
    lines = []
    for r in chosen:
        points = inputs.trend.get(r.code, ())
        if sum(p.share is not None for p in points) < 2:
            continue
        lines.append(
            TrendLine(
                r.code,
                short_label(ph.label(r.label)),
                [p.share for p in points],
                [p.ci_l for p in points],
                [p.ci_u for p in points],
            )
        )
    return TrendData(list(inputs.trend_waves), lines) if lines else None


def group_name(h: Hotspot, ph: Phrases) -> str:
    label = ph.label(h.domain_label) or h.domain
    key = f"group_{h.by}" if f"group_{h.by}" in ph.table else "group_default"
    if h.by == "title" and (label.startswith("无") or h.domain == "none"):
        key = "group_title_none"
    return ph(key, label=label, label_lower=label[:1].lower() + label[1:])


def hotspot_lines(ranked: list[GrievanceRow], ph: Phrases, num: Numbers) -> list[HotspotLine]:
    found = []
    for r in ranked[:8]:
        for h in r.hotspots:
            if h.prevalence is None or h.difference is None:
                continue
            found.append((h.difference, r, h))
    found.sort(key=lambda x: -x[0])
    out = []
    for difference, r, h in found[:MAX_HOTSPOTS]:
        out.append(
            HotspotLine(
                group=group_name(h, ph),
                grievance=short_label(ph.label(r.label)),
                code=r.code,
                there=num.pct(h.prevalence),
                rest=num.pct(h.rest),
                difference=f"{100 * difference:+.1f}",
                n=h.n,
            )
        )
    return out


def quotes(ranked: list[GrievanceRow], ph: Phrases) -> list[QuoteLine]:
    """One quote per leading grievance, clean ones (no 【redaction】 marks) first."""
    seen: set[str] = set()
    clean: list[QuoteLine] = []
    rest: list[QuoteLine] = []
    for r in ranked:
        first = True
        for q in r.quotes:
            text = printable(q.text).strip()
            if not text or text in seen:
                continue
            seen.add(text)
            sector = ph.label(q.sector_label)
            by = ph("q_by", sector=sector) if sector else ph("q_by_unknown")
            line = QuoteLine(text, by, r.code)
            if first and "【" not in text and len(text) >= QUOTE_MIN_CHARS:
                clean.append(line)
                first = False
            else:
                rest.append(line)
    chosen = clean[:MAX_QUOTES]
    if len(chosen) < MIN_QUOTES:
        chosen += [q for q in rest if "【" not in q.text][: MIN_QUOTES - len(chosen)]
    if len(chosen) < MIN_QUOTES:
        chosen += [q for q in rest if q not in chosen][: MIN_QUOTES - len(chosen)]
    return chosen


def actions(ranked: list[GrievanceRow], ph: Phrases, num: Numbers) -> list[Action]:
    rows = [r for r in ranked if r.common][:MAX_ACTIONS]
    if len(rows) < MIN_ACTIONS:
        rows += [r for r in ranked if r not in rows][: MIN_ACTIONS - len(rows)]
    out = []
    for i, r in enumerate(rows, start=1):
        number = CN_NUMBERS[i - 1] if ph.is_zh else str(i)
        out.append(
            Action(
                number=ph("a_item", no=number, area=ph.label(r.policy_area)),
                area=ph.label(r.policy_area),
                evidence=ph("a_evidence", share=num.pct(r.prevalence), label=ph.label(r.label)),
                action=ph.label(r.suggested_action),
                code=r.code,
            )
        )
    return out


def method_paragraphs(inputs: BriefingInputs, ph: Phrases, num: Numbers) -> list[str]:
    fw, wt, table = inputs.fieldwork, inputs.weighting, inputs.table
    completion = num.pct(fw.completes / fw.target) if fw.target else ph("suppressed")
    out = [
        ph(
            "m_design",
            period=ph.period(fw.opens, fw.closes),
            stations=fw.stations,
            sectors=fw.sectors,
            regions=fw.regions,
            target=fw.target,
            completes=fw.completes,
            completion=completion,
        )
    ]
    if fw.invitations:
        rate = num.pct(fw.invitations_completed / fw.invitations)
        out.append(
            ph("m_response", invitations=fw.invitations, done=fw.invitations_completed, rate=rate)
        )
    else:
        out.append(ph("m_response_none"))
    out.append(ph("m_sample", analysed=fw.analysed))
    deff = f"{wt.deff:.2f}"
    if wt.dims:
        names = [ph(f"dim_{d}") if f"dim_{d}" in ph.table else d for d in wt.dims]
        dims = ph("dims_join").join(names)
        lo, hi = wt.trim
        out.append(ph("m_weights", year=wt.year, dims=dims, lo=f"{lo:g}", hi=f"{hi:g}", deff=deff))
    else:
        out.append(ph("m_weights_base", deff=deff))
    moe = 100 * 1.96 * (wt.deff * 0.25 / max(fw.analysed, 1)) ** 0.5
    out.append(ph("m_error", moe=f"{moe:.1f}"))
    if table.previous_wave:
        out.append(ph("m_change", prev=table.previous_wave))
    settings = table.settings or {}
    out.append(
        ph(
            "m_common",
            thr=f"{100 * settings.get('breadth_threshold', 0.2):.0f}%",
            top=int(settings.get("local_top", 5)),
        )
    )
    out.append(ph("m_suppress", k=table.k))
    return out
