"""Reads for briefings, always through what the user may see.

Office: every version. Leadership: delivered briefings only (the latest delivered version
of each issue and language). Everyone else: none — a 404, not a 403, so nothing confirms
that an issue exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from survey_platform.core.errors import NotFound
from survey_platform.core.roles import is_leadership, is_office
from survey_platform.fieldwork.models import Wave, WaveStatus
from survey_platform.jobs.models import Job, JobKind

from .models import Briefing
from .sparkline import Sparkline, sparkline


def _latest_per_edition(rows: QuerySet[Briefing]) -> list[Briefing]:
    seen: set[tuple[int, str]] = set()
    out = []
    for b in rows.order_by("-number", "language", "-version"):
        if (b.number, b.language) not in seen:
            seen.add((b.number, b.language))
            out.append(b)
    return out


def briefings_for_leadership() -> list[Briefing]:
    """The latest delivered version of every issue and language, newest issue first."""
    return _latest_per_edition(Briefing.objects.delivered().select_related("wave"))


def briefing_for_user(*, user: Any, pk: int) -> Briefing:
    rows = Briefing.objects.select_related("wave", "previous_wave", "approved_by", "created_by")
    if is_office(user):
        found = rows.filter(pk=pk).first()
    elif is_leadership(user):
        found = rows.delivered().filter(pk=pk).first()
    else:
        found = None
    if found is None:
        raise NotFound()
    return found


@dataclass
class TopGrievance:
    label: str
    share: float | None
    line: Sparkline | None

    @property
    def share_text(self) -> str:
        return "" if self.share is None else f"{100 * self.share:.1f}%"


@dataclass
class PortalIssue:
    number: int
    title: str
    wave: Wave
    delivered_at: Any
    editions: list[Briefing] = field(default_factory=list)
    top: list[TopGrievance] = field(default_factory=list)


def portal_issues(language: str) -> list[PortalIssue]:
    """Delivered issues by number (newest first), their editions and headline trends."""
    issues: dict[int, PortalIssue] = {}
    for b in briefings_for_leadership():
        issue = issues.get(b.number)
        if issue is None:
            issue = issues[b.number] = PortalIssue(b.number, b.title, b.wave, b.delivered_at)
        issue.editions.append(b)
        if b.language == language or not issue.top:
            issue.title = b.title if b.language == language else issue.title
            issue.top = [_top(t, language) for t in b.summary.get("top", [])]
    for issue in issues.values():
        issue.editions.sort(key=lambda b: b.language != "zh-hans")
    return sorted(issues.values(), key=lambda i: -i.number)


def _top(entry: dict[str, Any], language: str) -> TopGrievance:
    labels = entry.get("label") or {}
    label = labels.get(language) or labels.get("zh-hans") or entry.get("code", "")
    series = [s for _wave, s in entry.get("series") or []]
    return TopGrievance(label, entry.get("share"), sparkline(series))


@dataclass
class WaveBriefings:
    wave: Wave
    number: int | None
    briefings: list[Briefing]


def office_overview() -> list[WaveBriefings]:
    """Waves that can have a briefing (open or later), each with every version made."""
    rows = Briefing.objects.select_related("wave", "approved_by", "created_by")
    by_wave: dict[int, list[Briefing]] = {}
    for b in rows.order_by("language", "-version"):
        by_wave.setdefault(b.wave_id, []).append(b)
    waves = Wave.objects.exclude(status=WaveStatus.DRAFT).select_related("issue")
    out = []
    for wave in waves.order_by("-opens_at"):
        issue = getattr(wave, "issue", None)
        out.append(WaveBriefings(wave, issue.number if issue else None, by_wave.get(wave.pk, [])))
    return out


def briefing_jobs(limit: int = 10) -> QuerySet[Job]:
    return (
        Job.objects.filter(kind=JobKind.BRIEFING)
        .select_related("wave", "created_by")
        .order_by("-created_at")[:limit]
    )
