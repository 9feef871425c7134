"""A current, open demo wave on the standard questionnaire, with one printed respondent
link so a newcomer can answer at once."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from instruments.models import InstrumentVersion
from survey_platform.fieldwork import services
from survey_platform.fieldwork.models import Invitation, Wave
from survey_platform.network.models import Station

DEMO_WAVE = "2026-Q4"
DEMO_HOST_FOR_LINK = "皖东理工学院"


def quota_target(frame_size: int) -> int:
    """About 12% of the host's S&T workers, at least 10 and at most 120 (a university)."""
    return max(10, min(120, round(frame_size * 0.12)))


@transaction.atomic
def seed_open_wave(actor: AbstractBaseUser) -> Wave:
    wave = Wave.objects.filter(code=DEMO_WAVE).first()
    if wave is not None:
        return wave
    version = InstrumentVersion.objects.get(instrument__code="stws-standard", status="published")
    now = timezone.now()
    wave = services.wave_create(
        actor=actor,
        code=DEMO_WAVE,
        title="2026年度科技工作者状况调查",
        title_en="2026 survey of S&T workers",
        kind="comprehensive",
        instrument_version=version,
        opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=50),
    )
    for station in Station.objects.filter(active=True):
        services.quota_set(
            actor=actor, wave=wave, station=station, target=quota_target(station.frame_size)
        )
    return services.wave_open(actor=actor, wave=wave)


def demo_invitation(wave: Wave) -> Invitation:
    """One printed code of the demo station, created once and kept unanswered if possible."""
    station = Station.objects.get(host_institution=DEMO_HOST_FOR_LINK)
    fresh = Invitation.objects.filter(wave=wave, station=station, channel="print", state="sent")
    return fresh.first() or Invitation.objects.create(wave=wave, station=station, channel="print")
