"""Where the server's time goes in a respondent's page save (companion of bench/load.py).

Same throwaway PostgreSQL cluster, settings and wave as the load test, but the requests
go through django.test.Client in this one process — no HTTP, no gunicorn, no concurrency
— under cProfile. Prints the mean wall and CPU time per request kind (page view GET,
page save POST, submit POST) and the functions with the most cumulative time.

    .venv/bin/python -m bench._load_profile [--respondents 60] [--top 45] [--sort cumtime]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import secrets
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import _load_setup as setup  # noqa: E402
from bench._load_client import Reply, Tally, complete, complete_js  # noqa: E402
from bench._load_cluster import PostgresCluster, Processes  # noqa: E402
from bench._load_plan import build_plans  # noqa: E402


class TimedTransport:
    """django.test.Client behind the bench client's Transport, timing each request."""

    def __init__(self, client: Any, times: dict[str, list[tuple[float, float]]]) -> None:
        from http.cookies import SimpleCookie

        client.cookies = SimpleCookie()  # a new browser; the handler (middleware) is kept
        self.client = client
        self.times = times
        self.breakdown: Breakdown | None = None

    def request(self, method: str, path: str, fields: Any = None, *, json: bool = False) -> Reply:
        wall, cpu = time.perf_counter(), time.process_time()
        if fields is None and path.startswith("/a/"):
            kind = "GET start"  # the entry with the code
        elif fields is None:
            kind = "GET resume" if path == "/answer/" else "GET page"
        else:
            kind = f"POST {dict(fields)['action']}{' (JSON)' if json else ''}"
        if self.breakdown is not None:
            self.breakdown.kind = kind
        extra = {"HTTP_ACCEPT": "application/json"} if json else {}
        if fields is None:
            reply = self.client.get(path, **extra)
        else:
            reply = self.client.generic(
                "POST",
                path,
                urlencode(fields),
                content_type="application/x-www-form-urlencoded",
                **extra,
            )
        self.times[kind].append((time.perf_counter() - wall, time.process_time() - cpu))
        return Reply(reply.status_code, reply.get("Location", ""), reply.content.decode())


#: (module, attribute) wrapped with a timer by --breakdown; inclusive times, so nested
#: entries (validate_answers inside response_save_page) are part of their caller's.
TIMED = [
    ("survey_platform.fieldwork.respondent_entry", "enter_with_token"),
    ("survey_platform.fieldwork.respondent", "session_for_key"),
    ("survey_platform.fieldwork.respondent", "read_key"),
    ("survey_platform.fieldwork.respondent", "current_response"),
    ("survey_platform.fieldwork.respondent", "mark_opened"),
    ("survey_platform.fieldwork.respondent", "response_save_page"),
    ("survey_platform.fieldwork.respondent", "read_page"),
    ("survey_platform.fieldwork.respondent", "validate_answers"),
    ("survey_platform.fieldwork.respondent", "shown_answers"),
    ("survey_platform.fieldwork.respondent", "_insert_first"),
    ("survey_platform.fieldwork.respondent", "response_submit"),
    ("survey_platform.fieldwork.respondent_views", "_page_plan"),
    ("survey_platform.fieldwork.respondent_views", "render"),
    ("survey_platform.fieldwork.respondent_views", "visible_items"),
    ("survey_platform.fieldwork.respondent_views", "render_pages"),
    ("survey_platform.fieldwork.respondent_views", "_sign_state"),
]


class Breakdown:
    """Wall time inside each TIMED function, per request kind."""

    def __init__(self) -> None:
        import importlib

        self.kind = ""
        self.spent: dict[tuple[str, str], float] = defaultdict(float)
        for module_name, name in TIMED:
            module = importlib.import_module(module_name)
            setattr(
                module,
                name,
                self._wrap(f"{module_name.rsplit('.', 1)[1]}.{name}", getattr(module, name)),
            )

    def _wrap(self, label: str, fn: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent[(self.kind, label)] += time.perf_counter() - start

        return timed

    def print(self, counts: dict[str, int]) -> None:
        for kind in sorted(counts):
            print(f"#   {kind} (n={counts[kind]}), mean ms per request inside:")
            rows = sorted(
                ((v, label) for (k, label), v in self.spent.items() if k == kind), reverse=True
            )
            for value, label in rows:
                print(f"#     {value / counts[kind] * 1000:7.2f}  {label}")


def floor(client: Any, n: int = 300) -> None:
    """What any request costs here: /healthz (one query, JSON) and /thanks/ (a template)."""
    for path in ("/healthz", "/thanks/"):
        client.get(path)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            client.get(path)
        wall = (time.perf_counter() - wall) / n * 1000
        cpu = (time.process_time() - cpu) / n * 1000
        print(f"#   floor {path:<10} n={n:<5} {wall:7.1f} ms wall {cpu:7.1f} ms CPU")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=60)
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--sort", default="cumtime")
    parser.add_argument("--no-profile", action="store_true", help="timings only")
    parser.add_argument(
        "--no-javascript", action="store_true", help="the flow of a browser without JavaScript"
    )
    parser.add_argument(
        "--breakdown", action="store_true", help="time the respondent functions (no cProfile)"
    )
    args = parser.parse_args()
    with Processes() as procs:
        began = time.perf_counter()
        procs.postgres = PostgresCluster(procs.folder)
        procs.postgres.start()
        print(f"# initdb + start: {time.perf_counter() - began:.1f} s")
        env = setup.server_environment(procs.folder, procs.postgres.url, secrets.token_urlsafe(50))
        setup.django_setup(env)
        from django.test.utils import setup_test_environment

        from instruments.standard import load_standard

        setup_test_environment()  # the test client needs it; not ALLOWED_HOSTS changes
        from django.conf import settings

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        step = time.perf_counter()
        setup.migrate()
        print(f"# migrate: {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
        setup.collect_static()
        print(f"# collectstatic: {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
        office, version, stations = setup.office_and_stations()
        _wave, tokens = setup.open_wave(office, version, stations, "PROFILE", args.respondents)
        print(f"# wave and codes: {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
        plans = build_plans(load_standard(), tokens, seed=7)
        print(f"# plans: {time.perf_counter() - step:.1f} s")
        times: dict[str, list[tuple[float, float]]] = defaultdict(list)
        # Warm up (imports, template loading, first connection) outside the profile.
        from django.test import Client

        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        flow = complete if args.no_javascript else complete_js
        flow(TimedTransport(client, defaultdict(list)), plans[0], tally=Tally())
        profiler = cProfile.Profile()
        breakdown = Breakdown() if args.breakdown else None
        profile = not (args.no_profile or args.breakdown)
        for plan in plans[1:]:
            tally = Tally()
            if profile:
                profiler.enable()
            transport = TimedTransport(client, times)
            transport.breakdown = breakdown
            ok = flow(transport, plan, tally=tally)
            profiler.disable()
            if not ok:
                raise SystemExit(f"respondent failed: {tally.errors}")
        print(f"# {len(plans) - 1} respondents; mean per request (wall / CPU of this process):")
        for kind, values in sorted(times.items()):
            wall = sum(v[0] for v in values) / len(values) * 1000
            cpu = sum(v[1] for v in values) / len(values) * 1000
            print(f"#   {kind:<12} n={len(values):<5} {wall:7.1f} ms wall {cpu:7.1f} ms CPU")
        if breakdown is not None:
            breakdown.print({kind: len(values) for kind, values in times.items()})
        floor(client)
        if profile:
            pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
