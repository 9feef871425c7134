"""Speed of ``manage.py simulate_wave`` at 200,000 responses.

Builds a throwaway database (an SQLite file in a temporary folder, migrated from
scratch; or the empty database named by ``BENCH_DATABASE_URL``, e.g. a PostgreSQL one),
loads the demo network and questionnaires (no demo waves), then times one run of

    manage.py simulate_wave --wave BENCH-SIM --responses 200000 --seed 1

— population, answers, open texts, bulk insert, quota update, quality flags and the
ground-truth file — and prints

    BENCH simulate_200k_seconds <s> s

The ambient ``DATABASE_URL`` is ignored on purpose: the script must never fill a real
database with synthetic rows. Budget: 180 s on the 2-core machine.

    .venv/bin/python bench/simulate.py [--responses 200000] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def configure(folder: str) -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "survey_platform.settings.test"
    os.environ["VAR_DIR"] = folder
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-simulate-") as folder:
        configure(folder)
        from django.core.management import call_command
        from django.db import connection

        from survey_platform.demo.network import seed_network
        from survey_platform.fieldwork.models import Response

        seed_network()
        started = time.perf_counter()
        call_command(
            "simulate_wave",
            wave="BENCH-SIM",
            responses=args.responses,
            seed=args.seed,
        )
        seconds = time.perf_counter() - started
        stored = Response.objects.count()
        assert stored == args.responses, (stored, args.responses)
        print(f"database: {connection.vendor}, responses: {stored}")
        label = f"simulate_{args.responses // 1000}k_seconds"
        print(f"BENCH {label} {seconds:.1f} s")
        connection.close()


if __name__ == "__main__":
    main()
