"""Load and fault test of the respondent form through the real HTTP stack.

Starts a throwaway PostgreSQL cluster and gunicorn (the scaled production profile over
plain HTTP on loopback), opens a wave of the standard questionnaire with quotas for five
stations and one answer code per virtual respondent, then lets N virtual respondents
(default 200; threads in separate client processes, so the client's GIL does not cap the
server) answer page by page as a phone's browser does with JavaScript — one page view
that brings the whole questionnaire, then the page's form POST sent with
``Accept: application/json`` for every shown page, answered with the next page's code —
and submit with their own submission id; see bench/_load_client.py. --no-javascript
measures the other flow (form POST, redirect, page view for every page).

The respondents pass through --concurrency "seats" (default 50 answering at once; the
next respondent takes a seat as soon as one is free). Each seat spaces its page saves
--concurrency / --rate seconds apart on average (uniform ±50%), so the offered load is
--rate page saves per second (default 300, the issue's goal) while the server keeps up,
and whatever the server manages when it does not (--rate 0: no pause at all). A seat
cap rather than all N at once keeps respondents finishing all along on a slow machine:
with every respondent active they would all reach the submit together, at the very end.
Each run stops after --max-seconds (respondents not finished by then are reported as
unfinished, not as errors), so the whole script stays within about three minutes.
Prints

    BENCH load_page_saves_per_s <x> /s    sustained rate: middle 80% of the saves
    BENCH load_p99_ms <x> ms              p99 latency of a page-save POST (incl. submit)
    BENCH load_errors <n> count           requests that failed for good
    BENCH load_lost <n> count             acknowledged submits not stored intact
    BENCH load_duplicated <n> count       complete responses stored more than once

after checking in the database that every acknowledged submission is stored exactly
once with the answers the client sent (checksum) and that StationQuota.completes equals
the complete responses of each station. A second wave is then answered while one
gunicorn worker is killed (SIGKILL) and PostgreSQL restarted (pg_ctl restart -m fast);
clients retry with the same submission id. Prints load_fault_lost, load_fault_duplicated,
load_fault_errors and load_fault_retries. Exits 1 when anything was lost or duplicated, a
quota or an answer code's state is wrong, or the faults could not be injected (no submit
within the run). Every process and the temporary folder are removed on exit.

Server: 4 sync gunicorn workers by default (compare with --workers, --worker-class
gthread --threads N). A page save is CPU-bound Python: with JavaScript about 11 ms of
worker CPU per page save (the page views of the respondent shared out over its saves),
2 ms in PostgreSQL and 0.5 ms in the clients; without JavaScript about 40 ms (every save
also renders the next page). Sync workers share no GIL between requests; four rather
than two keep both cores busy while a worker waits for PostgreSQL and lose less capacity
when one is killed; gthread 2x4 gave 15% fewer saves/s. PostgreSQL keeps fsync and
synchronous commit on, as in production.

    .venv/bin/python bench/load.py [--respondents 200] [--workers 4] [--no-faults]
                                   [--no-javascript]

Server-side costs behind these figures: ``python -m bench._load_profile`` (cProfile or a
per-function breakdown of the same requests through django.test.Client).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import secrets
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import _load_setup as setup  # noqa: E402
from bench._load_client import run_respondents  # noqa: E402
from bench._load_cluster import (  # noqa: E402
    Gunicorn,
    PostgresCluster,
    Processes,
    StartError,
    tree_cpu_seconds,
)
from bench._load_plan import RespondentPlan, build_plans, standard_documents  # noqa: E402

SEED = 20261
START_MARGIN = 2.0  # seconds for the client processes to start before the first request


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--rate", type=float, default=300.0, help="offered page saves/s")
    parser.add_argument(
        "--concurrency", type=int, default=50, help="respondents answering at once (seats)"
    )
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=60.0,
        help="per run; respondents still answering "
        "then stop (reported as unfinished, not as errors)",
    )
    parser.add_argument(
        "--no-javascript",
        action="store_true",
        help="respondents without JavaScript: form POST, redirect, page GET per page",
    )
    parser.add_argument("--no-faults", action="store_true", help="skip the fault run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if not 1 <= args.respondents <= 2000:
        parser.error("--respondents must be between 1 and 2000")
    if not 1 <= args.workers <= 16 or not 1 <= args.clients <= 8:
        parser.error("--workers must be 1..16 and --clients 1..8")
    return args


@dataclass
class RunResult:
    outcomes: list[dict[str, Any]]
    seconds: float
    faults: list[str]
    cpu: dict[str, float]


def run_wave(
    servers: Processes,
    plans: list[RespondentPlan],
    args: argparse.Namespace,
    *,
    injector: Any = None,
) -> RunResult:
    """The respondents in ``args.clients`` processes; ``injector(submitted)`` is polled
    while they run and returns a description of each fault it caused."""
    assert servers.gunicorn is not None and servers.postgres is not None
    ctx = multiprocessing.get_context("spawn")
    submitted = ctx.Value("i", 0)
    queue = ctx.Queue()
    seats = min(args.concurrency, len(plans))
    interval = seats / args.rate if args.rate > 0 else 0.0
    start_at = time.monotonic() + START_MARGIN
    # Seats start spread over the first seconds, so respondents do not all reach the
    # submit together even when the server cannot keep up with the offered rate.
    timing = (interval, min(10.0, args.max_seconds / 6), start_at, start_at + args.max_seconds)
    shares = [plans[i :: args.clients] for i in range(args.clients)]
    procs = [
        ctx.Process(
            target=_client_main,
            args=(
                queue,
                servers.gunicorn.port,
                share,
                timing,
                args.seed + i,
                submitted,
                _share(seats, args.clients, i),
                not args.no_javascript,
            ),
            daemon=True,
        )
        for i, share in enumerate(shares)
        if share
    ]
    for proc in procs:
        proc.start()
    outcomes: list[dict[str, Any]] = []
    faults: list[str] = []
    cpu = {"clients": 0.0}
    before = server_cpu(servers)
    try:
        pending = len(procs)
        while pending:
            if injector is not None:
                faults.extend(injector(submitted.value))
            try:
                done = queue.get(timeout=0.05)
            except Exception:  # queue.Empty; a dead client shows up in the join below
                if not any(p.is_alive() for p in procs) and queue.empty():
                    break
                continue
            outcomes.extend(done["outcomes"])
            cpu["clients"] += done["cpu"]
            pending -= 1
        for proc in procs:
            proc.join(timeout=10)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
    seconds = time.monotonic() - start_at
    after = server_cpu(servers)
    cpu.update({name: after[name] - before[name] for name in after})
    return RunResult(outcomes, seconds, faults, cpu)


def _share(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


def server_cpu(servers: Processes) -> dict[str, float]:
    assert servers.gunicorn is not None and servers.gunicorn.proc is not None
    assert servers.postgres is not None
    return {
        "gunicorn": tree_cpu_seconds(servers.gunicorn.proc.pid),
        "postgres": servers.postgres.cpu_seconds(),
    }


def _client_main(
    queue: Any, port: int, plans: list[RespondentPlan], timing: tuple[float, ...], *rest: Any
) -> None:
    interval, ramp, start_at, deadline = timing
    seed, submitted, seats, javascript = rest
    queue.put(
        run_respondents(
            port,
            plans,
            seats=seats,
            interval=interval,
            ramp=ramp,
            seed=seed,
            submitted=submitted,
            start_at=start_at,
            deadline=deadline,
            javascript=javascript,
        )
    )


class FaultInjector:
    """While respondents are submitting: kill -9 of a gunicorn worker once a quarter of
    them have submitted, a PostgreSQL restart once half have — or, on a machine too slow
    for that within the run's time, at 40% and 60% of --max-seconds after a first submit."""

    def __init__(
        self, gunicorn: Gunicorn, postgres: PostgresCluster, respondents: int, seconds: float
    ) -> None:
        self.gunicorn = gunicorn
        self.postgres = postgres
        self.kill_at = (max(1, respondents // 4), START_MARGIN + 0.4 * seconds)
        self.restart_at = (max(2, respondents // 2), START_MARGIN + 0.6 * seconds)
        self.killed = self.restarted = False
        self.t0 = time.monotonic()

    def _due(self, submitted: int, at: tuple[int, float]) -> bool:
        return submitted >= at[0] or (submitted > 0 and time.monotonic() - self.t0 >= at[1])

    def __call__(self, submitted: int) -> list[str]:
        done = []
        when = f"{time.monotonic() - self.t0 - START_MARGIN:.1f} s into the run"
        if not self.killed and self._due(submitted, self.kill_at):
            self.killed = True
            pid = self.gunicorn.kill_worker()
            done.append(f"kill -9 of gunicorn worker {pid} {when}, after {submitted} submits")
        elif self.killed and not self.restarted and self._due(submitted, self.restart_at):
            self.restarted = True
            seconds = self.postgres.restart()
            done.append(
                f"pg_ctl restart -m fast {when}, after {submitted} submits (took {seconds:.1f} s)"
            )
        return done


# --- figures ---------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass(frozen=True)
class Figures:
    saves: int
    sustained_per_s: float
    overall_per_s: float
    requests_per_s: float
    save_ms: dict[str, float]
    page_ms: dict[str, float]
    errors: int
    retries: int
    unfinished: int
    error_samples: list[str]


def figures(outcomes: list[dict[str, Any]]) -> Figures:
    records = [r for o in outcomes for r in o["records"]]
    saves = sorted(
        (start + secs, secs) for kind, start, secs, _ in records if kind in ("save", "submit")
    )
    pages = [secs for kind, _start, secs, _ in records if kind == "page"]
    ends = [end for end, _secs in saves]
    sustained = overall = 0.0
    if len(ends) >= 10:
        lo, hi = ends[len(ends) // 10], ends[len(ends) * 9 // 10]
        sustained = (len(ends) * 9 // 10 - len(ends) // 10) / max(hi - lo, 1e-9)
    if len(ends) >= 2:
        overall = len(ends) / max(ends[-1] - min(s for k, s, *_ in records), 1e-9)
    span = max(s + d for _k, s, d, _a in records) - min(s for _k, s, *_ in records)

    def summary(values: list[float]) -> dict[str, float]:
        return {f"p{q}": percentile(values, q) * 1000 for q in (50, 95, 99)} | {
            "max": max(values, default=float("nan")) * 1000
        }

    errors = [e for o in outcomes for e in o["errors"]]
    return Figures(
        saves=len(saves),
        sustained_per_s=sustained,
        overall_per_s=overall,
        requests_per_s=len(records) / max(span, 1e-9),
        save_ms=summary([secs for _end, secs in saves]),
        page_ms=summary(pages),
        errors=len(errors),
        retries=sum(o["retries"] for o in outcomes),
        unfinished=sum(1 for o in outcomes if o["unfinished"]),
        error_samples=errors[:5],
    )


def _ms(stats: dict[str, float]) -> str:
    return " ".join(f"{k} {v:.0f}" for k, v in stats.items()) + " ms"


def contention() -> str:
    """How busy the machine was before the runs (other work slows every figure here but
    the CPU per page save)."""
    one, five, _fifteen = os.getloadavg()
    text = f"load average {one:.1f} (1 min, this script's setup included), {five:.1f} (5 min)"
    try:
        line = Path("/proc/pressure/cpu").read_text().split("\n")[0]
        avg300 = dict(part.split("=") for part in line.split()[1:])["avg300"]
        return f"{text}; tasks waiting for a CPU {float(avg300):.0f}% of the last 5 min"
    except (OSError, KeyError, ValueError):
        return text


def report(prefix: str, result: RunResult, fig: Figures, verdict: setup.Verdict) -> None:
    print(
        f"# {prefix}: {len(result.outcomes)} respondents ({fig.unfinished} unfinished at the "
        f"deadline), {fig.saves} page saves in {result.seconds:.1f} s; {fig.overall_per_s:.0f} "
        f"saves/s over the whole run, {fig.requests_per_s:.0f} HTTP requests/s, "
        f"{fig.retries} retries"
    )
    print(f"#   page save (POST): {_ms(fig.save_ms)}; page view (GET): {_ms(fig.page_ms)}")
    per_save = {k: v / max(fig.saves, 1) * 1000 for k, v in result.cpu.items()}
    busy = sum(result.cpu.values()) / max(result.seconds, 1e-9)
    print(
        "#   CPU per page save (with its page view): "
        + ", ".join(f"{k} {v:.1f} ms" for k, v in per_save.items())
        + f"; these processes kept {busy:.2f} of the {os.cpu_count()} cores busy"
    )
    for fault in result.faults:
        print(f"#   fault: {fault}")
    for sample in fig.error_samples:
        print(f"#   error: {sample}")
    print(
        f"#   acknowledged {verdict.acknowledged}, stored complete {verdict.stored_complete}, "
        f"stored but not acknowledged {verdict.unacknowledged_stored}, answers differing "
        f"{verdict.corrupt}, quota mismatches {verdict.quota_mismatches}, answer-code "
        f"state mismatches {verdict.invitation_mismatches}"
    )


def prepare(args: argparse.Namespace, procs: Processes) -> list[tuple[Any, list[Any]]]:
    """PostgreSQL, the schema, the waves and the respondents' plans, then gunicorn.
    Returns (wave, plans) per run."""
    steps: list[str] = []
    clock = time.monotonic()

    def step(name: str) -> None:
        nonlocal clock
        steps.append(f"{name} {time.monotonic() - clock:.1f} s")
        clock = time.monotonic()

    procs.postgres = PostgresCluster(procs.folder)
    procs.postgres.start()
    step("postgres")
    env = setup.server_environment(procs.folder, procs.postgres.url, secrets.token_urlsafe(50))
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        # Simulating and repairing the answers takes seconds: overlap it with migrate.
        docs = pool.submit(standard_documents, args.respondents, args.seed, setup.STATIONS)
        setup.django_setup(env)
        setup.migrate()
        setup.collect_static()
        step("migrate")
        office, version, stations = setup.office_and_stations()
        waves = [
            setup.open_wave(office, version, stations, f"LOAD-{run}", args.respondents)
            for run in range(1 if args.no_faults else 2)
        ]
        step("waves")
        documents = docs.result()
        step("answers (rest)")
    from django.db import connections

    from instruments.standard import load_standard

    connections.close_all()
    runs = [
        (wave, build_plans(load_standard(), tokens, seed=args.seed + run, documents=documents))
        for run, (wave, tokens) in enumerate(waves)
    ]
    procs.gunicorn = Gunicorn(procs.folder, env, args.workers, args.worker_class, args.threads)
    procs.gunicorn.start()
    step("gunicorn")
    print(f"# setup: {', '.join(steps)}")
    print(f"# machine: {os.cpu_count()} cores, {contention()}")
    print(
        f"# gunicorn {args.workers} {args.worker_class} workers x {args.threads} threads; "
        f"{args.respondents} respondents "
        f"({'without JavaScript' if args.no_javascript else 'with JavaScript: JSON page saves'}) "
        f"through {args.concurrency} seats in {args.clients} "
        f"client processes, offered {args.rate:.0f} page saves/s"
    )
    return runs


def load_run(args: argparse.Namespace, procs: Processes, wave: Any, plans: list[Any]) -> bool:
    result = run_wave(procs, plans, args)
    fig = figures(result.outcomes)
    verdict = setup.verify(wave, result.outcomes)
    report("load", result, fig, verdict)
    print(f"BENCH load_page_saves_per_s {fig.sustained_per_s:.1f} /s")
    print(f"BENCH load_p99_ms {fig.save_ms['p99']:.0f} ms")
    print(f"BENCH load_errors {fig.errors} count")
    print(f"BENCH load_lost {verdict.lost} count")
    print(f"BENCH load_duplicated {verdict.duplicated} count")
    return verdict.ok


def fault_run(args: argparse.Namespace, procs: Processes, wave: Any, plans: list[Any]) -> bool:
    assert procs.gunicorn is not None and procs.postgres is not None
    injector = FaultInjector(procs.gunicorn, procs.postgres, len(plans), args.max_seconds)
    result = run_wave(procs, plans, args, injector=injector)
    fig = figures(result.outcomes)
    verdict = setup.verify(wave, result.outcomes)
    report("faults", result, fig, verdict)
    if len(result.faults) < 2:
        print("#   WARNING: not every fault was injected (no submit in time)")
    print(f"BENCH load_fault_lost {verdict.lost} count")
    print(f"BENCH load_fault_duplicated {verdict.duplicated} count")
    print(f"BENCH load_fault_errors {fig.errors} count")
    print(f"BENCH load_fault_retries {fig.retries} count")
    return verdict.ok and len(result.faults) == 2


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    with Processes(keep=args.keep) as procs:
        try:
            runs = prepare(args, procs)
        except StartError as exc:
            print(f"# load benchmark could not start: {exc}", file=sys.stderr)
            return 2
        ok = load_run(args, procs, *runs[0])
        if not args.no_faults:
            ok = fault_run(args, procs, *runs[1]) and ok
    print(f"# total {time.monotonic() - began:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
