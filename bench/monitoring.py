"""Speed of the fieldwork monitoring selectors at 200,000 responses.

Builds a throwaway database (an SQLite file in a temporary folder, migrated from
scratch; or the empty database named by ``BENCH_DATABASE_URL``, e.g. a PostgreSQL one),
bulk-inserts one wave with 40 station quotas, 200,000 responses (about 90% complete,
submitted over three weeks, with standard-questionnaire answers) and 40,000 invitations,
then times what the two pages compute — the office monitor (station table, totals, per-day
series) and one station's dashboard (figures, invitation states, per-day series, strata by
title and age group) — as the minimum of several runs, and prints

    BENCH monitor_office_ms <x> ms
    BENCH monitor_station_ms <x> ms

The ambient ``DATABASE_URL`` is ignored on purpose: the script must never fill a real
database with synthetic rows.

    .venv/bin/python bench/monitoring.py [--responses 200000] [--stations 40] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def configure(folder: str) -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "survey_platform.settings.test"
    os.environ.setdefault("VAR_DIR", folder)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate(n_responses: int, n_stations: int, seed: int = 11) -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from instruments import services as instrument_services
    from instruments.standard import load_standard
    from survey_platform.fieldwork import services
    from survey_platform.fieldwork.models import (
        Invitation,
        Response,
        StationQuota,
        field_day_start,
    )
    from survey_platform.network.models import Region, Sector, Station

    rng = random.Random(seed)
    office = get_user_model().objects.create_user("bench_office", is_superuser=True)
    instrument = instrument_services.instrument_create(actor=office, code="std", name="标准问卷")
    version = instrument_services.version_publish(
        actor=office,
        version=instrument_services.version_create(
            actor=office, instrument=instrument, definition=load_standard().to_dict()
        ),
    )
    now = timezone.now()
    wave = services.wave_create(
        actor=office,
        code="BENCH-1",
        title="基准测试",
        kind="comprehensive",
        instrument_version=version,
        opens_at=now - timedelta(days=21),
        closes_at=now + timedelta(days=9),
    )
    regions = list(Region.objects.filter(level="county"))
    sectors = list(Sector.objects.all())
    stations = Station.objects.bulk_create(
        Station(
            name=f"基准站点{i:02d}",
            host_institution=f"基准单位{i:02d}",
            region=regions[i % len(regions)],
            sector=sectors[i % len(sectors)],
            frame_size=8000,
        )
        for i in range(n_stations)
    )
    per_station = n_responses // n_stations
    StationQuota.objects.bulk_create(
        StationQuota(
            wave=wave,
            station=s,
            target=int(per_station * rng.uniform(0.9, 1.6)),
            strata={"title": {"senior": 300, "junior": 900}, "age_group": {"lt35": 1500}},
        )
        for s in stations
    )
    year = now.year
    prep = _preparer(Response)
    answer_pool = [
        prep(
            "answers",
            {
                "A1": rng.choice("12"),
                "A2": year - rng.randint(23, 64),
                "A3": str(rng.randint(1, 6)),
                "A4": str(rng.randint(1, 5)),
                **{f"B{i}": str(rng.randint(1, 5)) for i in range(1, 21)},
                "J1": rng.sample([f"G{i:02d}" for i in range(1, 17)], 3),
            },
        )
        for _ in range(3000)
    ]
    seconds = int(timedelta(days=21).total_seconds())
    # Days only, as the respondent form stores them (models.field_day_start).
    time_pool = [
        prep("submitted_at", field_day_start(now - timedelta(seconds=rng.randint(0, seconds))))
        for _ in range(20000)
    ]

    def responses() -> Any:
        for i in range(n_responses):
            complete = rng.random() < 0.9
            yield (
                stations[i % n_stations].pk,
                "complete" if complete else "partial",
                rng.random() < 0.2,
                rng.choice(answer_pool),
                rng.choice(time_pool) if complete else None,
            )

    template = Response(wave=wave, station=stations[0], instrument_version=version)
    varying = ["station_id", "status", "via_open_link", "answers", "submitted_at"]
    fast_insert(template, varying, responses())
    states = ["sent", "opened", "started", "completed", "expired"]
    # Codes issued long ago: only (stand-in) hashes are stored, as for real codes.
    invitations = (
        (stations[i % n_stations].pk, rng.choice(states), f"bench-token-{i}", f"bench-code-{i}")
        for i in range(1000 * n_stations)
    )
    invitation = Invitation(wave=wave, station=stations[0], channel="print")
    fast_insert(invitation, ["station_id", "state", "token_hash", "code_hash"], invitations)
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: statistics and the visibility map
        # that index-only scans need. Without it the first minutes are not representative.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    quota = (
        StationQuota.objects.select_related(
            "wave__instrument_version", "station__region", "station__sector"
        )
        .filter(wave=wave)
        .first()
    )
    return wave, quota


def _preparer(model: Any) -> Callable[[str, Any], Any]:
    from django.db import connection

    return lambda name, value: model._meta.get_field(name).get_db_prep_save(value, connection)


def fast_insert(template: Any, varying: list[str], rows: Any, batch: int = 5000) -> None:
    """INSERT through executemany, several times faster than bulk_create at this size. The
    ORM prepares the fixed columns once from ``template`` (defaults, auto_now, whatever
    fields the model has gained); each row supplies DB-ready values for ``varying``."""
    from django.db import connection, transaction

    model = type(template)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    fixed = {f.attname: f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields}
    order = [varying.index(f.attname) if f.attname in varying else -1 for f in fields]
    base = [fixed[f.attname] for f in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with transaction.atomic(), connection.cursor() as cursor:
        chunk: list[list[Any]] = []
        for row in rows:
            chunk.append([row[j] if j >= 0 else base[k] for k, j in enumerate(order)])
            if len(chunk) == batch:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)


def best_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument("--stations", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-monitoring-") as folder:
        started = time.perf_counter()
        configure(folder)
        from django.db import connection

        from survey_platform.fieldwork import monitoring

        wave, quota = populate(args.responses, args.stations)
        print(
            f"setup: {args.responses} responses, {args.stations} stations, "
            f"{connection.vendor}, {time.perf_counter() - started:.1f} s"
        )

        def office() -> None:
            monitor = monitoring.office_monitor(wave, "completion")
            monitoring.completes_per_day(wave)
            assert len(monitor.rows) == args.stations

        def station() -> None:
            dashboard = monitoring.station_dashboard(quota)
            assert dashboard.figures.completes > 0 and len(dashboard.strata) == 2

        print(f"BENCH monitor_office_ms {best_ms(office, args.runs):.1f} ms")
        print(f"BENCH monitor_station_ms {best_ms(station, args.runs):.1f} ms")
        print(f"total: {time.perf_counter() - started:.1f} s")
        connection.close()


if __name__ == "__main__":
    main()
