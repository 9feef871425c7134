"""The content of a briefing: plain data and finished sentences, built from published
figures only (:class:`~reports.inputs.BriefingInputs`) in one edition's wording
(:mod:`reports.phrases`). No database, no layout: :mod:`reports.pdf` typesets it and
:mod:`reports.charts` draws its figures.

Sections (issue 8): masthead; headline and lead; 核心发现 — 3 to 5 findings, each a number
with its 95% CI and n (the leading grievance; the largest significant rise and fall since
the previous wave; the group where the leading grievances weigh most; working hours; the
runners-up when fewer than three of these exist); 共性诉求 ranked (bar chart data); the
grievance x sector heat map; the trend; hotspot groups; 3–6 scrubbed quotes; 对策建议
from the taxonomy's policy text for the leading common grievances; 调查说明.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from analysis.grievances import GrievanceRow, GrievanceTable, Hotspot

from .content_sections import (
    actions,
    grievance_lines,
    group_name,
    heat_data,
    hotspot_lines,
    method_paragraphs,
    quotes,
    short_label,
    trend_data,
)
from .content_types import (
    Action,
    Finding,
    GrievanceLine,
    HeatData,
    HotspotLine,
    QuoteLine,
    TrendData,
)
from .formatting import Numbers
from .inputs import BriefingInputs
from .phrases import Phrases

__all__ = ["BriefingContent", "build_content", "portal_summary"]

MAX_FINDINGS = 5
MIN_FINDINGS = 3
#: A hotspot is quoted as a finding only when its own 95% CI is at most this wide.
MAX_QUOTED_CI_WIDTH = 0.30


@dataclass(frozen=True)
class BriefingContent:
    language: str
    number: int
    issued: date
    issuer: str
    wave: str
    previous_wave: str | None
    title: str
    lead: str
    findings: list[Finding]
    grievances: list[GrievanceLine]
    grievance_intro: str
    heat: HeatData | None
    heat_intro: str
    trend: TrendData | None
    trend_intro: str
    hotspots: list[HotspotLine]
    quotes: list[QuoteLine]
    actions: list[Action]
    method: list[str]
    k: int
    title_lines: list[str] = field(default_factory=list)
    words: dict[str, str] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def chart_lines(self) -> list[GrievanceLine]:
        return [g for g in self.grievances if g.rank is not None and g.share is not None]


def build_content(
    inputs: BriefingInputs, *, number: int, language: str, issued: date, issuer: str
) -> BriefingContent:
    ph = Phrases(language)
    num = Numbers(ph)
    table = inputs.table
    title = headline([r for r in table.ranked if r.prevalence is not None], ph)
    fw = inputs.fieldwork
    ranked = [r for r in table.ranked if r.prevalence is not None]
    lines = grievance_lines(table, ph, num)
    words = {
        key: ph(key, k=table.k)
        for key in ph.table
        if key.startswith(("s_", "col_", "hs_", "g_legend", "axis", "h_note", "t_note"))
        or key in ("toc", "app_note", "yes", "suppressed", "a_intro", "q_intro")
    }
    words.update(
        series=ph("series"),
        issue=ph("issue", number=number),
        marking=ph("marking"),
        date=ph.date(issued),
        printed=ph("printed", issuer=issuer, date=ph.date(issued)),
        g_fig=ph("g_fig", no=1),
        h_fig=ph("h_fig", no=2),
        t_fig=ph("t_fig", no=3),
    )
    if not ranked:
        words["q_intro"] = ph("q_none")
    return BriefingContent(
        language=language,
        number=number,
        issued=issued,
        issuer=issuer,
        wave=fw.code,
        previous_wave=table.previous_wave,
        title=ph("headline_join").join(title)[:200],
        title_lines=title,
        lead=lead(inputs, ranked, ph, num, issuer),
        findings=findings(inputs, ranked, ph, num),
        grievances=lines,
        grievance_intro=grievance_intro(table, ranked, ph, num),
        heat=heat_data(table, inputs.sectors, ph),
        heat_intro=heat_intro(table, inputs.sectors, ranked, ph, num),
        trend=trend_data(inputs, ranked, ph),
        trend_intro=trend_intro(table, ph, num),
        hotspots=hotspot_lines(ranked, ph, num),
        quotes=quotes(ranked, ph),
        actions=actions(ranked, ph, num),
        method=method_paragraphs(inputs, ph, num),
        k=table.k,
        words=words,
        summary=portal_summary(inputs, ranked),
    )


# --- headline, lead ------------------------------------------------------------------------


def _rises(ranked: list[GrievanceRow]) -> list[GrievanceRow]:
    up = [r for r in ranked if r.change and r.change.significant and (r.change.difference or 0) > 0]
    return sorted(up, key=lambda r: -(r.change.difference or 0) if r.change else 0)


def _falls(ranked: list[GrievanceRow]) -> list[GrievanceRow]:
    down = [
        r for r in ranked if r.change and r.change.significant and (r.change.difference or 0) < 0
    ]
    return sorted(down, key=lambda r: (r.change.difference or 0) if r.change else 0)


def headline(ranked: list[GrievanceRow], ph: Phrases) -> list[str]:
    """The problem-centred title, as its lines: the leading grievance, then the sharpest
    significant rise when there is one."""
    if not ranked:
        return [ph("series")]
    parts = [ph("headline_top", top=short_label(ph.label(ranked[0].label)))]
    rises = [r for r in _rises(ranked) if r.code != ranked[0].code]
    if rises:
        parts.append(ph("headline_rise", rise=short_label(ph.label(rises[0].label))))
    return parts


def lead(
    inputs: BriefingInputs, ranked: list[GrievanceRow], ph: Phrases, num: Numbers, issuer: str
) -> str:
    fw = inputs.fieldwork
    common = [r for r in ranked if r.common]
    return ph(
        "lead",
        period=ph.period(fw.opens, fw.closes),
        issuer=issuer,
        stations=fw.stations,
        wave_title=fw.title if ph.is_zh else fw.title_en,
        completes=fw.completes,
        analysed=fw.analysed,
        top_label=ph.label(ranked[0].label) if ranked else "—",
        top_share=num.pct(ranked[0].prevalence) if ranked else "—",
        common_clause=ph("lead_common", n=len(common)) if len(common) > 1 else "",
    )


# --- findings ------------------------------------------------------------------------------


def findings(
    inputs: BriefingInputs, ranked: list[GrievanceRow], ph: Phrases, num: Numbers
) -> list[Finding]:
    if not ranked:
        return []
    prev = inputs.table.previous_wave or ""
    top = ranked[0]
    out = [_top_finding(top, ph, num)]
    for rows, key in ((_rises(ranked), "rise"), (_falls(ranked), "fall")):
        if rows:
            out.append(_change_finding(rows[0], key, prev, ph, num))
    hot = _best_hotspot(ranked[:5])
    if hot is not None:
        out.append(_hotspot_finding(*hot, ph, num))
    if "B1" in inputs.means:
        out.append(_hours_finding(inputs, ph, num))
    if len(out) < MIN_FINDINGS and len(ranked) >= 3:
        out.insert(1, _next_finding(ranked[1], ranked[2], ph, num))
    return out[:MAX_FINDINGS]


def _top_finding(r: GrievanceRow, ph: Phrases, num: Numbers) -> Finding:
    short = short_label(ph.label(r.label))
    text = ph(
        "f_top",
        share=num.pct(r.prevalence),
        label=ph.label(r.label),
        fig=num.note(r.ci_l, r.ci_u, r.n),
        breadth=ph(
            "f_breadth_all"
            if (r.stations_present, r.sectors_present) == (r.stations_counted, r.sectors_counted)
            else "f_breadth",
            sp=r.stations_present,
            sc=r.stations_counted,
            tp=r.sectors_present,
            tc=r.sectors_counted,
        ),
    )
    return Finding(ph("f_top_title", short=short), text, num.pct(r.prevalence), num.n(r.n), r.code)


def _change_finding(r: GrievanceRow, key: str, prev: str, ph: Phrases, num: Numbers) -> Finding:
    assert r.change is not None
    d = r.change.difference or 0.0
    text = ph(
        f"f_{key}",
        share=num.pct(r.prevalence),
        fig=num.note(r.ci_l, r.ci_u, r.n),
        prev=prev,
        diff=num.pp(abs(d)),
        dci=num.ci_pp(r.change.ci_l, r.change.ci_u),
        p=num.p_adj(r.change.p_adjusted),
    )
    short = short_label(ph.label(r.label))
    title = ph(f"f_{key}_title", short=short)
    return Finding(title, text, f"{100 * d:+.1f}", num.n(r.n), r.code, ph("unit_pp"))


def _best_hotspot(rows: list[GrievanceRow]) -> tuple[GrievanceRow, Hotspot] | None:
    """The surest excess: the largest lower bound of the difference, among hotspots whose
    own interval is narrow enough to quote (a group of one or two stations is not)."""
    best: tuple[float, GrievanceRow, Hotspot] | None = None
    for r in rows:
        for h in r.hotspots:
            if None in (h.prevalence, h.difference, h.diff_ci_l, h.ci_l, h.ci_u):
                continue
            if (h.ci_u or 0) - (h.ci_l or 0) > MAX_QUOTED_CI_WIDTH:
                continue
            sure = h.diff_ci_l or 0.0
            if best is None or sure > best[0]:
                best = (sure, r, h)
    return (best[1], best[2]) if best else None


def _hotspot_finding(r: GrievanceRow, h: Hotspot, ph: Phrases, num: Numbers) -> Finding:
    group = group_name(h, ph)
    text = ph(
        "f_hot",
        group=group,
        label=ph.label(r.label),
        share=num.pct(h.prevalence),
        fig=num.note(h.ci_l, h.ci_u, h.n),
        diff=num.pp(h.difference or 0.0),
        dci=num.ci_pp(h.diff_ci_l, h.diff_ci_u),
    )
    title = ph("f_hot_title", group=group, short=short_label(ph.label(r.label)))
    return Finding(title, text, num.pct(h.prevalence), num.n(h.n), r.code)


def _hours_finding(inputs: BriefingInputs, ph: Phrases, num: Numbers) -> Finding:
    hours = inputs.means["B1"]
    research = ""
    share = inputs.means.get("B2")
    if share is not None:
        research = ph(
            "f_hours_research",
            share=ph("pct", v=share.value),
            fig=num.note_raw(share.ci_l, share.ci_u, share.n, percent=True),
        )
    text = ph(
        "f_hours",
        mean=ph("hours_unit", v=hours.value),
        fig=num.note_raw(hours.ci_l, hours.ci_u, hours.n, percent=False),
        research=research,
    )
    big = ph("hours_unit", v=hours.value)
    return Finding(ph("f_hours_title"), text, big, num.n(hours.n), "B1", ph("unit_hours"))


def _next_finding(a: GrievanceRow, b: GrievanceRow, ph: Phrases, num: Numbers) -> Finding:
    text = ph(
        "f_next",
        la=ph.label(a.label),
        sa=num.pct(a.prevalence),
        fa=num.note(a.ci_l, a.ci_u, a.n),
        lb=ph.label(b.label),
        sb=num.pct(b.prevalence),
        fb=num.note(b.ci_l, b.ci_u, b.n),
    )
    title = ph("f_next_title", a=short_label(ph.label(a.label)), b=short_label(ph.label(b.label)))
    return Finding(title, text, num.pct(a.prevalence), num.n(a.n), a.code)


# --- section introductions -----------------------------------------------------------------


def grievance_intro(
    table: GrievanceTable, ranked: list[GrievanceRow], ph: Phrases, num: Numbers
) -> str:
    top5 = ph("g_list_sep").join(
        ph("g_item", label=short_label(ph.label(r.label)), share=num.pct(r.prevalence))
        for r in ranked[:5]
    )
    common = [r for r in ranked if r.common]
    if not common:
        return ph("g_intro_none", top5=top5)
    return ph("g_intro", n=len(table.ranked), c=len(common), top5=top5)


def heat_intro(
    table: GrievanceTable,
    sectors: dict[str, Any],
    ranked: list[GrievanceRow],
    ph: Phrases,
    num: Numbers,
) -> str:
    cells = (sectors.get("cells") or {}).get(ranked[0].code, {}) if ranked else {}
    names = {lv["code"]: ph.label(lv["label"]) for lv in sectors.get("levels") or []}
    shown = [(v[1], code) for code, v in cells.items() if v and v[1] is not None]
    if len(shown) < 2:
        return ph("h_intro_one", no=2)
    hi, lo = max(shown), min(shown)
    return ph(
        "h_intro",
        top=f"“{short_label(ph.label(ranked[0].label))}”",
        hi=names.get(hi[1], hi[1]),
        hi_v=num.pct(hi[0]),
        lo=names.get(lo[1], lo[1]),
        lo_v=num.pct(lo[0]),
    )


def trend_intro(table: GrievanceTable, ph: Phrases, num: Numbers) -> str:
    if not table.previous_wave:
        return ph("t_first")
    moves = []
    for r in table.ranked:
        c = r.change
        if c is None or not c.significant or c.difference is None:
            continue
        key = "t_move_up" if c.difference > 0 else "t_move_down"
        moves.append(ph(key, label=short_label(ph.label(r.label)), diff=num.pp(abs(c.difference))))
    if not moves:
        return ph("t_none_changed", prev=table.previous_wave) + ("。" if ph.is_zh else ".")
    sep = "，" if ph.is_zh else "; "
    return ph("t_intro", prev=table.previous_wave, moves=sep.join(moves))


# --- the portal's summary ------------------------------------------------------------------


def portal_summary(inputs: BriefingInputs, ranked: list[GrievanceRow]) -> dict[str, Any]:
    """Headline figures kept with the briefing for the leadership portal (JSON types)."""
    top = []
    for r in ranked[:3]:
        points = inputs.trend.get(r.code, ())
        top.append(
            {
                "code": r.code,
                "label": {k: short_label(v) for k, v in r.label.items()},
                "share": r.prevalence,
                "ci_l": r.ci_l,
                "ci_u": r.ci_u,
                "n": r.n,
                "series": [[p.wave, p.share] for p in points],
            }
        )
    return {"wave": inputs.fieldwork.code, "analysed": inputs.fieldwork.analysed, "top": top}
