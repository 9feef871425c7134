"""The demo's survey waves, filled by the simulator (demo/simulate/).

* ``2025-Q4`` — last year's comprehensive survey on the standard questionnaire, closed;
  the baseline scenario.
* ``2026-Q2`` — a quick survey on the quick-survey template, closed; half-way along the
  trend.
* ``2026-Q4`` — this year's comprehensive survey, open, with partial fieldwork (most
  stations part-way to their quota, a few lagging far behind) and one printed answer
  code left fresh, so a newcomer can answer a questionnaire at once.

Between the two comprehensive waves two grievances move on purpose (CHANGES): the burden
of forms, meetings and inspections (G06) falls clearly after the "减负" measures, and
living costs (G13: housing, children's schooling) rise clearly — by about eleven points each
in the grievance indicator; everything else stays within noise. The ground truth of each
wave lands in ``VAR_DIR/ground_truth/``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from instruments.models import InstrumentVersion
from survey_platform.fieldwork import services
from survey_platform.fieldwork.codes import IssuedCode, codes_issue_for
from survey_platform.fieldwork.models import Invitation, Response, Wave, WaveStatus
from survey_platform.network.models import Station

from .simulate import Scenario, SimulationConfig, StationPlan, simulate_wave
from .simulate.personal_data import EXAMPLE_DOMAINS, person_name

DEMO_WAVE = "2026-Q4"
DEMO_HOST_FOR_LINK = "皖东理工学院"

#: The deliberate change from 2025-Q4 to 2026-Q4 (half of it by the 2026-Q2 quick survey).
#: It moves only what the taxonomy maps to G06 and G13: their J1 utilities and the closed
#: items of their rules (B8 = 1 for G06; G7 = 4, G9 = 5 for G13). No latent factor moves:
#: ``burden`` also drives G02 and G16, ``life`` the pressure item G2 (G05). The two J1
#: shifts are of equal size, so the slots G06 frees are about the ones G13 takes and the
#: other codes' J1 shares stay within a few tenths of a point. Population values (truth):
#: G06 about -11 and G13 about +11 points in the grievance indicator, -8 and +8 in J1 —
#: enough to be flagged at the BH level by 16,000 responses although the design-based SE
#: of a change (stations as PSUs) is 2–3 points.
CHANGES = Scenario(
    grievance_shift={"G06": -0.5, "G13": 0.5},
    item_shift={"B8": -0.45, "G7": 0.6, "G9": 0.6},
    note="G06 falls (减负 measures), G13 rises (housing and schooling costs)",
)
HALF_WAY = CHANGES.scaled(0.5, note="half of the 2025-Q4 → 2026-Q4 change")


#: Young people and those without a senior title answer a little more readily, so the
#: demo's unweighted figures differ from the weighted ones, as in real fieldwork.
DEMO_CONFIG = SimulationConfig(response_bias=0.3)


def quota_target(frame_size: int) -> int:
    """About 12% of the host's S&T workers, at least 10 and at most 120 (a university)."""
    return max(10, min(120, round(frame_size * 0.12)))


def large_quota(frame_size: int) -> int:
    """Last year's larger comprehensive survey: about a quarter, 10 to 300."""
    return max(10, min(300, round(frame_size * 0.25)))


def quick_quota(frame_size: int) -> int:
    return max(8, min(150, round(frame_size * 0.15)))


@dataclass(frozen=True)
class DemoWave:
    code: str
    title: str
    title_en: str
    kind: str
    instrument: str
    opens_days_ago: int
    days: int
    target: Callable[[int], int]
    seed: int
    scenario: Scenario
    previous: str | None = None


PAST_WAVES = (
    DemoWave(
        "2025-Q4", "2025年度科技工作者状况调查", "2025 survey of S&T workers", "comprehensive",
        "stws-standard", 375, 42, large_quota, 2025, Scenario(note="baseline"),
    ),
    DemoWave(
        "2026-Q2", "2026年第二季度科技工作者快速调查", "Quick survey of S&T workers, 2026 Q2",
        "quick", "stws-quick", 210, 21, quick_quota, 202602, HALF_WAY,
    ),
)  # fmt: skip
CURRENT = DemoWave(
    DEMO_WAVE, "2026年度科技工作者状况调查", "2026 survey of S&T workers", "comprehensive",
    "stws-standard", 10, 60, quota_target, 2026, CHANGES, previous="2025-Q4",
)  # fmt: skip
DEMO_SCENARIOS = {w.code: w.scenario for w in (*PAST_WAVES, CURRENT)}
DEMO_SEEDS = {w.code: w.seed for w in (*PAST_WAVES, CURRENT)}


def _version(code: str) -> InstrumentVersion:
    return InstrumentVersion.objects.get(instrument__code=code, status="published")


def _create(actor: User, spec: DemoWave, closes_at: datetime | None = None) -> Wave:
    now = timezone.now()
    opens = now - timedelta(days=spec.opens_days_ago)
    previous = Wave.objects.filter(code=spec.previous).first() if spec.previous else None
    wave = services.wave_create(
        actor=actor,
        code=spec.code,
        title=spec.title,
        title_en=spec.title_en,
        kind=spec.kind,
        instrument_version=_version(spec.instrument),
        opens_at=opens,
        closes_at=closes_at or opens + timedelta(days=spec.days),
        previous=previous,
    )
    for station in Station.objects.filter(active=True):
        services.quota_set(
            actor=actor, wave=wave, station=station, target=spec.target(station.frame_size)
        )
    return services.wave_open(actor=actor, wave=wave)


def _past_plan(wave: Wave, seed: int) -> dict[int, StationPlan]:
    """Closed waves: each station ended near its quota (a few above it through codes)."""
    rng = np.random.default_rng(seed)
    plan = {}
    for quota in wave.quotas.order_by("station_id"):
        completes = max(1, round(quota.target * rng.uniform(0.86, 1.06)))
        plan[quota.station_id] = StationPlan(completes, round(completes * rng.uniform(0.03, 0.1)))
    return plan


def _open_plan(wave: Wave, seed: int) -> dict[int, StationPlan]:
    """The open wave part-way: most stations 35–90% of quota, about one in six lagging."""
    rng = np.random.default_rng(seed)
    plan = {}
    for quota in wave.quotas.order_by("station_id"):
        lagging = rng.uniform() < 0.17
        share = rng.uniform(0.0, 0.15) if lagging else rng.uniform(0.35, 0.9)
        completes = round(quota.target * share)
        plan[quota.station_id] = StationPlan(
            completes, round(completes * rng.uniform(0.05, 0.12)) + int(lagging),
            lag=rng.uniform(0.5, 0.8) if lagging else rng.uniform(0.0, 0.15),
        )  # fmt: skip
    return plan


def seed_past_wave(actor: User, spec: DemoWave) -> Wave:
    wave = Wave.objects.filter(code=spec.code).first()
    if wave is not None:
        return wave
    # The services refuse to open a wave whose closing time has passed, and closing stamps
    # "now" as the closing time. A past wave is therefore created and opened with its
    # closing time in the future, closed, and only then moved to its real dates.
    with transaction.atomic():
        wave = _create(actor, spec, closes_at=timezone.now() + timedelta(days=1))
        wave = services.wave_close(actor=actor, wave=wave)
        opens = timezone.now() - timedelta(days=spec.opens_days_ago)
        Wave.objects.filter(pk=wave.pk).update(
            opens_at=opens, closes_at=opens + timedelta(days=spec.days)
        )
        wave.refresh_from_db()
        plan = _past_plan(wave, spec.seed)
        simulate_wave(wave, plan, seed=spec.seed, scenario=spec.scenario, config=DEMO_CONFIG)
    return wave


def seed_open_wave(actor: User) -> Wave:
    """The current wave, opened once and given its partial fieldwork once."""
    wave = Wave.objects.filter(code=DEMO_WAVE).first()
    with transaction.atomic():
        if wave is None:
            wave = _create(actor, CURRENT)
        if wave.status == WaveStatus.OPEN and not Response.objects.filter(wave=wave).exists():
            plan = _open_plan(wave, CURRENT.seed)
            simulate_wave(wave, plan, seed=CURRENT.seed, scenario=CHANGES, config=DEMO_CONFIG)
            issue_demo_invitations(wave, CURRENT.seed)
    return wave


def seed_waves(actor: User) -> dict[str, int]:
    """Create what is missing; a wave that exists is left as it is (idempotent)."""
    before = Wave.objects.count()
    for spec in PAST_WAVES:
        seed_past_wave(actor, spec)
    seed_open_wave(actor)
    return {"waves": Wave.objects.count() - before}


def issue_demo_invitations(wave: Wave, seed: int) -> None:
    """Answer codes as station staff would have issued them: completed for the completes
    that came through a code, started for the partial ones, the rest sent or opened.
    Nothing links a code to a response (the states only count)."""
    rng = np.random.default_rng([seed, 1])
    counts: dict[tuple[int, str], int] = {}
    for station_id, status, via_link in Response.objects.filter(wave=wave).values_list(
        "station_id", "status", "via_open_link"
    ):
        if not via_link:
            key = (station_id, "completed" if status == "complete" else "started")
            counts[key] = counts.get(key, 0) + 1
    invitations: list[Invitation] = []
    for quota in wave.quotas.order_by("station_id"):
        done = counts.get((quota.station_id, "completed"), 0)
        states = ["completed"] * done + ["started"] * counts.get((quota.station_id, "started"), 0)
        outstanding = max(0, round(quota.target * rng.uniform(0.9, 1.3)) - len(states))
        states += ["opened" if rng.uniform() < 0.25 else "sent" for _ in range(outstanding)]
        for state in states:
            if rng.uniform() < 0.4:
                domain = EXAMPLE_DOMAINS[int(rng.integers(len(EXAMPLE_DOMAINS)))]
                name = person_name(rng, with_title=False)
                invitations.append(
                    Invitation(wave=wave, station_id=quota.station_id, channel="email",
                               state=state, name=name, email=f"demo{len(invitations)}@{domain}",
                               email_sent=True)  # these people were e-mailed: not "unsent"
                )  # fmt: skip
            else:
                invitations.append(
                    Invitation(wave=wave, station_id=quota.station_id, channel="print", state=state)
                )
    for invitation in invitations:
        # Codes handed out long ago: issued (stored as hashes of codes nobody knows any
        # more, as in real life), so they count as issued and cannot be used.
        invitation.token_hash, invitation.code_hash = secrets.token_hex(32), secrets.token_hex(32)
    Invitation.objects.bulk_create(invitations, batch_size=2000)


def demo_invitation(wave: Wave) -> IssuedCode:
    """A fresh printed code of the demo station, to show once (``make run`` prints it): an
    unanswered printed invitation is given a new code each time this is called."""
    station = Station.objects.get(host_institution=DEMO_HOST_FOR_LINK)
    fresh = Invitation.objects.filter(wave=wave, station=station, channel="print", state="sent")
    invitation = fresh.order_by("id").first() or Invitation.objects.create(
        wave=wave, station=station, channel="print"
    )
    return codes_issue_for([invitation], revoke_sessions=True)[0]
