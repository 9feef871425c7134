"""The database side of bench/load.py: the wave the respondents answer, and the checks
afterwards. Runs in the bench's own process with the same settings as the server (the
scaled profile on the throwaway PostgreSQL cluster); writes go through the services.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench._load_plan import answers_checksum

STATIONS = 5


def server_environment(folder: Path, database_url: str, secret_key: str) -> dict[str, str]:
    """What every process of the deployment gets (docs/deploy.md): the production profile
    over plain HTTP, tasks in the database, persistent database connections."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "survey_platform.settings.scaled",
        "SECRET_KEY": secret_key,
        "ANSWER_CODE_KEY": "bench-answer-code-key-" + secret_key[:16],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "TASKS_BACKEND": "database",
        "DB_CONN_MAX_AGE": "60",
        "EMAIL_BACKEND": "locmem",
        "LOG_FORMAT": "plain",
        "VAR_DIR": str(folder / "var"),
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def collect_static() -> None:
    """The production storage serves hashed names from a manifest: it must exist. Written
    by Django's plain manifest storage, whose staticfiles.json is the one whitenoise's
    storage reads: the pages name the same hashed files, only the pre-compressed .gz/.br
    copies are missing (compressing every asset takes the better part of a minute here,
    and the virtual respondents fetch no static files)."""
    from django.core.management import call_command
    from django.test import override_settings

    plain = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    from django.conf import settings

    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        call_command("collectstatic", verbosity=0, interactive=False, stdout=io.StringIO())


def office_and_stations() -> tuple[Any, Any, list[Any]]:
    """The office user, the published standard questionnaire and the stations."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from instruments import services as instrument_services
    from instruments.standard import load_standard
    from survey_platform.core.roles import OFFICE_GROUP
    from survey_platform.network import services as network_services
    from survey_platform.network.models import Region, Sector
    from survey_platform.network.reference import ensure_reference_data

    ensure_reference_data(Region, Sector)
    office = get_user_model().objects.create_user("bench_office", is_staff=True)
    office.groups.add(Group.objects.get(name=OFFICE_GROUP))
    instrument = instrument_services.instrument_create(
        actor=office, code="std-load", name="科技工作者状况调查问卷（负载测试）"
    )
    version = instrument_services.version_publish(
        actor=office,
        version=instrument_services.version_create(
            actor=office, instrument=instrument, definition=load_standard().to_dict()
        ),
    )
    regions = list(Region.objects.filter(level="county").order_by("code"))
    sectors = list(Sector.objects.order_by("order"))
    stations = [
        network_services.station_create(
            actor=office,
            name=f"负载测试站点{i + 1}",
            host_institution=f"负载测试单位{i + 1}",
            region=regions[i % len(regions)],
            sector=sectors[i % len(sectors)],
            frame_size=2000,
        )
        for i in range(STATIONS)
    ]
    return office, version, stations


def open_wave(
    office: Any, version: Any, stations: list[Any], code: str, respondents: int
) -> tuple[Any, list[tuple[str, int]]]:
    """An open wave with a quota per station and one printed answer code per respondent.
    Returns the wave and (token, station id) per respondent, stations taking turns. The
    codes are issued as the station issues them (fieldwork/codes.py: only their hashes are
    stored): the plaintext link tokens exist only in what this returns."""
    from django.utils import timezone

    from survey_platform.fieldwork import services

    now = timezone.now()
    wave = services.wave_create(
        actor=office,
        code=code,
        title=f"负载测试 {code}",
        kind="comprehensive",
        instrument_version=version,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
    )
    counts = Counter(i % len(stations) for i in range(respondents))
    quotas = [
        services.quota_set(actor=office, wave=wave, station=s, target=counts[i] + 10)
        for i, s in enumerate(stations)
    ]
    wave = services.wave_open(actor=office, wave=wave)
    tokens = {
        quota.station_id: _issue_tokens(office, quota, counts[i]) for i, quota in enumerate(quotas)
    }
    plan = [
        (tokens[stations[i % len(stations)].pk].pop(), stations[i % len(stations)].pk)
        for i in range(respondents)
    ]
    return wave, plan


def _issue_tokens(office: Any, quota: Any, count: int) -> list[str]:
    """``count`` printed codes of the quota, issued at most MAX_CODES_PER_ISSUE at a time
    (what one slips PDF holds); their link tokens."""
    from survey_platform.fieldwork import invitations

    tokens: list[str] = []
    while len(tokens) < count:
        batch = min(invitations.MAX_CODES_PER_ISSUE, count - len(tokens))
        issued = invitations.codes_issue(actor=office, quota=quota, count=batch)
        tokens.extend(code.token for code in issued)
    return tokens


@dataclass(frozen=True)
class Verdict:
    acknowledged: int
    stored_complete: int
    lost: int
    duplicated: int
    corrupt: int
    unacknowledged_stored: int
    quota_mismatches: int
    invitation_mismatches: int

    @property
    def ok(self) -> bool:
        return not (
            self.lost or self.duplicated or self.quota_mismatches or self.invitation_mismatches
        )


def verify(wave: Any, outcomes: list[dict[str, Any]]) -> Verdict:
    """Every acknowledged submission is stored once, complete and with the answers the
    client sent; completes per station equal StationQuota.completes; every acknowledged
    answer code is marked completed. Reads through fresh connections (the database may
    have been restarted)."""
    from django.db import connections

    from survey_platform.fieldwork.codes import code_digest
    from survey_platform.fieldwork.models import Invitation, Response, StationQuota

    connections.close_all()
    rows = list(
        Response.objects.filter(wave=wave, status="complete").values_list(
            "submission_id", "station_id", "answers"
        )
    )
    by_id: dict[str, list[tuple[int, str]]] = {}
    for sid, station, answers in rows:
        by_id.setdefault(str(sid), []).append((station, answers_checksum(answers)))
    acknowledged = [o for o in outcomes if o["acknowledged"]]
    sent = {o["submission_id"]: o for o in outcomes}
    lost = corrupt = 0
    for outcome in acknowledged:
        stored = by_id.get(outcome["submission_id"], [])
        if not stored:
            lost += 1
        elif stored[0] != (outcome["station"], outcome["checksum"]):
            corrupt += 1
    # Two complete rows for one respondent: same submission id (the unique index forbids
    # it) or a row no client submitted, or the same answers stored twice.
    unknown = sum(len(v) for k, v in by_id.items() if k not in sent)
    repeated = sum(len(v) - 1 for v in by_id.values() if len(v) > 1)
    per_answers = Counter(checksum for v in by_id.values() for _station, checksum in v)
    expected = Counter(o["checksum"] for o in outcomes)
    twice = sum(max(0, n - expected[c]) for c, n in per_answers.items())
    stations = Counter(station for v in by_id.values() for station, _checksum in v)
    quota_mismatches = sum(
        1
        for q in StationQuota.objects.filter(wave=wave)
        if q.completes != stations.get(q.station_id, 0)
    )
    # Invitations are known by the hash of their code (the clients hold the codes).
    completed = set(
        Invitation.objects.filter(wave=wave, state="completed").values_list("token_hash", flat=True)
    )
    invitation_mismatches = sum(
        1 for o in acknowledged if code_digest("token", o["token"]) not in completed
    )
    invitation_mismatches += abs(len(completed) - len(rows))
    return Verdict(
        acknowledged=len(acknowledged),
        stored_complete=len(rows),
        lost=lost + corrupt,
        duplicated=max(unknown + repeated, twice),
        corrupt=corrupt,
        unacknowledged_stored=sum(
            1 for o in outcomes if not o["acknowledged"] and o["submission_id"] in by_id
        ),
        quota_mismatches=quota_mismatches,
        invitation_mismatches=invitation_mismatches,
    )
