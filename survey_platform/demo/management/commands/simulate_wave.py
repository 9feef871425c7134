"""``manage.py simulate_wave --wave CODE --responses N --seed S``: a simulated wave at scale.

An existing wave keeps its questionnaire and quotas; responses are spread over the quotas
in proportion to their targets (``--proportional``: to the stations' frame sizes, a
self-weighting sample). A wave that does not exist is created on the standard
questionnaire with a quota for every active station, simulated and closed (``--open``
leaves it open). A wave that already has responses is refused unless ``--replace`` is
given, which deletes them first. The same seed gives the same responses.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from instruments.models import InstrumentVersion
from survey_platform.demo.fieldwork import DEMO_SCENARIOS, quota_target
from survey_platform.demo.simulate import (
    BASELINE,
    Scenario,
    SimulationConfig,
    SimulationError,
    plan_by_quota,
    simulate_wave,
)
from survey_platform.demo.simulate.model import FACTORS
from survey_platform.fieldwork import services
from survey_platform.fieldwork.models import Response, StationQuota, Wave, WaveStatus
from survey_platform.network.models import Station


class Command(BaseCommand):
    help = "Fill a survey wave with simulated responses (and write its ground truth)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--wave", required=True, help="wave code, e.g. 2026-Q4")
        parser.add_argument("--responses", type=int, required=True, help="response rows")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--proportional", action="store_true",
                            help="allocate by frame size instead of quota targets")  # fmt: skip
        parser.add_argument("--replace", action="store_true",
                            help="delete the wave's existing responses first")  # fmt: skip
        parser.add_argument("--open", action="store_true", help="leave a created wave open")
        parser.add_argument(
            "--shift",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="scenario shift: a grievance code (G06=-0.4) or a factor (burden=-0.3)",
        )
        parser.add_argument("--personal-data-rate", type=float, default=None)
        parser.add_argument("--no-quality", action="store_true", help="skip the quality flags")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["responses"] < 1:
            raise CommandError("--responses must be at least 1.")
        config = SimulationConfig()
        if options["personal_data_rate"] is not None:
            rate = options["personal_data_rate"]
            if not 0 <= rate <= 1:
                raise CommandError("--personal-data-rate must be between 0 and 1.")
            config = SimulationConfig(personal_data_rate=rate)
        scenario = _scenario(options["wave"], options["shift"])
        wave = Wave.objects.filter(code=options["wave"]).first()
        created = wave is None
        if wave is None:
            wave = _create_wave(options["wave"])
        elif Response.objects.filter(wave=wave).exists():
            if not options["replace"]:
                raise CommandError(
                    f"Wave {wave.code} already has responses; --replace deletes them first."
                )
            with transaction.atomic():
                Response.objects.filter(wave=wave).delete()
                StationQuota.objects.filter(wave=wave).update(completes=0)
        try:
            plan = plan_by_quota(wave, options["responses"], config, options["proportional"])
            result = simulate_wave(
                wave,
                plan,
                seed=options["seed"],
                scenario=scenario,
                config=config,
                flag_quality=not options["no_quality"],
                raise_targets=True,
                # The raw stream: OutputWrapper would end every redraw of the bar with "\n".
                # django-stubs do not declare OutputWrapper._out (the wrapped TextIO).
                progress=self.stderr._out,  # type: ignore[arg-type]
            )
        except SimulationError as exc:
            raise CommandError(str(exc)) from exc
        if created and not options["open"]:
            services.wave_close(actor=_office(), wave=wave)
        self.stdout.write(
            f"Simulated {result.responses} responses ({result.completes} complete) in wave "
            f"{result.wave_code} in {result.seconds:.1f} s; quality flags {result.quality}; "
            f"ground truth {result.truth_path}"
        )


def _scenario(code: str, shifts: list[str]) -> Scenario:
    base = DEMO_SCENARIOS.get(code, BASELINE)
    factors, grievances = dict(base.factor_shift), dict(base.grievance_shift)
    for text in shifts:
        name, _, value = text.partition("=")
        try:
            amount = float(value)
        except ValueError as exc:
            raise CommandError(f"--shift wants NAME=NUMBER, not {text!r}.") from exc
        if re.fullmatch(r"G\d\d", name.upper()):
            grievances[name.upper()] = amount
        elif name in FACTORS:
            factors[name] = amount
        else:
            raise CommandError(
                f"Unknown shift {name!r}: use a grievance code (G01…G16) or one of "
                f"{', '.join(FACTORS)}."
            )
    note = "command line" if shifts else base.note
    return Scenario(factors, grievances, note=note, item_shift=dict(base.item_shift))


def _office() -> Any:
    user = get_user_model().objects.filter(is_superuser=True).first()
    user = user or get_user_model().objects.filter(username="office").first()
    if user is None:
        raise CommandError("No office user to record as the creator; run seed_demo first.")
    return user


def _create_wave(code: str) -> Wave:
    version = InstrumentVersion.objects.filter(
        instrument__code="stws-standard", status="published"
    ).first()
    if version is None:
        raise CommandError("The standard questionnaire is not loaded; run seed_demo first.")
    actor = _office()
    now = timezone.now()
    with transaction.atomic():
        wave = services.wave_create(
            actor=actor,
            code=code,
            title=f"模拟调查 {code}",
            title_en=f"Simulated survey {code}",
            kind="comprehensive",
            instrument_version=version,
            opens_at=now - timedelta(days=30),
            closes_at=now + timedelta(days=1),
        )
        for station in Station.objects.filter(active=True, frame_size__gt=0):
            services.quota_set(
                actor=actor, wave=wave, station=station, target=quota_target(station.frame_size)
            )
        wave = services.wave_open(actor=actor, wave=wave)
    if wave.status != WaveStatus.OPEN:
        raise CommandError(f"Wave {code} could not be opened.")
    return wave
