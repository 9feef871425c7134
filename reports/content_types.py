"""The parts of a briefing's content (plain data; see :mod:`reports.content`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    title: str
    text: str
    value: str  # the headline number, e.g. "72.1%"
    n: str  # "n = 675"
    code: str  # the grievance (or item) it is about
    unit: str = ""  # printed under the number: "个百分点", "小时/周"


@dataclass(frozen=True)
class GrievanceLine:
    rank: int | None
    code: str
    label: str
    short: str
    share: float | None
    ci_l: float | None
    ci_u: float | None
    n: int | None
    breadth: float | None
    common: bool
    change: float | None
    change_significant: bool
    share_text: str
    ci_text: str
    change_text: str


@dataclass(frozen=True)
class HeatRow:
    code: str
    short: str
    cells: list[float | None]


@dataclass(frozen=True)
class HeatData:
    sectors: list[str]
    rows: list[HeatRow]


@dataclass(frozen=True)
class TrendLine:
    code: str
    short: str
    shares: list[float | None]
    ci_l: list[float | None]
    ci_u: list[float | None]


@dataclass(frozen=True)
class TrendData:
    waves: list[str]
    lines: list[TrendLine]


@dataclass(frozen=True)
class HotspotLine:
    group: str
    grievance: str
    code: str
    there: str
    rest: str
    difference: str
    n: int


@dataclass(frozen=True)
class QuoteLine:
    text: str
    by: str
    code: str


@dataclass(frozen=True)
class Action:
    number: str
    area: str
    evidence: str
    action: str
    code: str
