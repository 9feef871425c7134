"""Run the benchmarks (``make bench``, or ``make bench ONLY=briefing``) and summarise them.

Each script runs in its own process. Around it this runner prints the machine's load
average and decides whether the run was **disturbed**: every process the benchmark starts
inherits a ``BENCH_RUN`` tag in its environment (servers it launches too, such as the
PostgreSQL cluster that ``pg_ctl`` detaches), and once a second the runner adds up the CPU
time that every *untagged* process on the machine used since the last look (``/proc``).
That was other work sharing the cores while the figures were taken; above
``DISTURBED_CORES`` on average, the script's figures are marked ``# disturbed`` and so is
their row in the summary. A disturbed figure is
not wrong, only not comparable: run again on a quiet machine before quoting it.

The summary at the end has one row per ``BENCH <name> <value> <unit>`` line printed by any
script, with the script's name and its disturbance; the whole run fails when a script
fails.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
# Average CPU cores of other work while a script ran that mark its figures disturbed: a
# quarter of a core already skews a 2-core measurement by several per cent.
DISTURBED_CORES = 0.25
# Scripts that are not benchmarks of their own (a helper, and the comparison that
# bench/analysis.py runs in the svy virtualenv).
SKIP = {"analysis_svy"}
LINE = re.compile(r"^BENCH (\S+) (\S+)(?: (.*))?$")


@dataclass
class Outcome:
    script: str
    returncode: int
    seconds: float
    other_cores: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    figures: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def disturbed(self) -> bool:
        return self.other_cores > DISTURBED_CORES


class OtherWork:
    """CPU seconds used by processes that the benchmark did not start, sampled in /proc."""

    def __init__(self, tag: str) -> None:
        self.marker = f"BENCH_RUN={tag}".encode()
        self.tagged: dict[tuple[int, int], bool] = {}  # (pid, start time) -> ours
        self.last: dict[tuple[int, int], int] = {}
        self.ticks = 0
        self.clock = os.sysconf("SC_CLK_TCK")
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _ours(self, key: tuple[int, int]) -> bool:
        if key not in self.tagged:
            try:
                with open(f"/proc/{key[0]}/environ", "rb") as fh:
                    self.tagged[key] = self.marker in fh.read().split(b"\0")
            except OSError:
                self.tagged[key] = False
        return self.tagged[key]

    def sample(self, *, first: bool = False) -> None:
        seen: dict[tuple[int, int], int] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    after_comm = fh.read().rsplit(b")", 1)[1].split()
            except (OSError, IndexError):
                continue
            cpu = int(after_comm[11]) + int(after_comm[12])  # utime + stime
            key = (int(entry.name), int(after_comm[19]))  # pid + start time: no reuse mix-up
            seen[key] = cpu
            if not first and not self._ours(key):
                # A process born since the last look counts from its start.
                self.ticks += cpu - self.last.get(key, 0)
        self.last = seen

    def _loop(self) -> None:
        while not self.stop.wait(1.0):
            self.sample()

    def __enter__(self) -> OtherWork:
        self.sample(first=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.sample()

    @property
    def seconds(self) -> float:
        return self.ticks / self.clock


def scripts(only: str) -> list[Path]:
    found = sorted(
        p for p in BENCH_DIR.glob("*.py") if not p.name.startswith("_") and p.stem not in SKIP
    )
    if not only:
        return found
    wanted = {name.strip().removesuffix(".py") for name in only.split(",") if name.strip()}
    unknown = wanted - {p.stem for p in found}
    if unknown:
        names = ", ".join(p.stem for p in found)
        raise SystemExit(f"no benchmark named {', '.join(sorted(unknown))}; there are: {names}")
    return [p for p in found if p.stem in wanted]


def run(script: Path, extra: list[str]) -> Outcome:
    load_before = os.getloadavg()
    print(f"== {script.relative_to(BENCH_DIR.parent)}", flush=True)
    print("# load average before: " + " ".join(f"{x:.2f}" for x in load_before), flush=True)
    tag = uuid.uuid4().hex
    figures = []
    start = time.monotonic()
    with OtherWork(tag) as other_work:
        proc = subprocess.Popen(
            [sys.executable, str(script), *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            env={**os.environ, "BENCH_RUN": tag},
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            match = LINE.match(line.strip())
            if match:
                figures.append((match[1], match[2], match[3] or ""))
        returncode = proc.wait()
    seconds = time.monotonic() - start
    other = other_work.seconds
    outcome = Outcome(
        script.stem,
        returncode,
        seconds,
        other / seconds if seconds > 0 else 0.0,
        load_before,
        os.getloadavg(),
        figures,
    )
    print("# load average after: " + " ".join(f"{x:.2f}" for x in outcome.load_after))
    print(f"# other work on the machine meanwhile: {outcome.other_cores:.2f} cores on average")
    if outcome.disturbed:
        print(
            f"# disturbed: other work used {outcome.other_cores:.2f} cores while "
            f"{script.stem} ran (more than {DISTURBED_CORES}); its figures are not comparable"
        )
    return outcome


def summary(outcomes: list[Outcome]) -> str:
    rows = [("benchmark", "figure", "value", "unit", "note")]
    for o in outcomes:
        note = "disturbed" if o.disturbed else ""
        if o.returncode:
            rows.append((o.script, "(failed)", str(o.returncode), "exit code", note))
        for name, value, unit in o.figures:
            rows.append((o.script, name, value, unit, note))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["", "== summary"]
    for i, row in enumerate(rows):
        cells = [
            c.rjust(w) if j == 2 and i else c.ljust(w)
            for j, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    quiet = sum(not o.disturbed for o in outcomes)
    lines.append(f"{len(outcomes)} scripts, {quiet} on a quiet machine, "
                 f"{sum(o.seconds for o in outcomes):.0f} s in all")  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=os.environ.get("ONLY", ""),
                        help="comma-separated script names, e.g. briefing,text")  # fmt: skip
    parser.add_argument("extra", nargs="*", help="arguments passed to every script")
    args = parser.parse_args()
    outcomes = [run(script, args.extra) for script in scripts(args.only)]
    print(summary(outcomes))
    return 1 if any(o.returncode for o in outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
