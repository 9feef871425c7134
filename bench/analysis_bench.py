"""Speed of the analysis core on 200,000 respondents, against R's survey 4.1-1.

Generates data shaped like the R fixture (4 strata, 40 PSUs, weights, region crossing
strata, a 5-level item, a 0/1 item and a score) with a fixed seed, times each call as
the minimum of several runs, and prints ``BENCH <name> <seconds> s`` lines with the
speed-up over the R timings in ``shared/reference/r-survey/bench.txt`` (target >= 20x).

    .venv/bin/python bench/analysis_bench.py [--rows 200000] [--psus-per-stratum 10]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import analysis as an
from analysis import Design, Factor

R_NAMES = {
    "design": "svydesign",
    "mean_score": "svymean(~score)",
    "mean_q5": "svymean(~q5)",
    "by_region_mean_score": "svyby(~score,~region,svymean)",
    "by_region_q5": "svyby(~q5,~region,svymean)",
    "ciprop_by_region": "svyby(~y,~region,svyciprop)",
    "chisq_q5_region": "svychisq(~q5+region)",
}
TARGET = 20.0


def make_data(n: int, per_stratum: int, seed: int = 7) -> dict[str, Any]:
    """Synthetic complex sample mirroring make_reference.R's gen_data (numpy version)."""
    rng = np.random.default_rng(seed)
    n_strata = 4
    k = n_strata * per_stratum
    size = rng.uniform(0.5, 1.5, k)
    psu = np.sort(rng.choice(k, size=n, p=size / size.sum()))
    stratum = psu // per_stratum
    psu_eff = rng.normal(0, 0.6, k)[psu]
    base = np.array([80.0, 150.0, 240.0, 400.0])[stratum]
    weight = np.round(base * np.exp(rng.normal(0, 0.25, k))[psu] * np.exp(rng.normal(0, 0.3, n)), 2)
    male = rng.uniform(size=n) < 0.46 + 0.06 * (stratum == 1)
    age = rng.choice(3, size=n, p=[0.3, 0.4, 0.3])
    probs = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6], [0.34, 0.33, 0.33]])
    cum = probs.cumsum(axis=1)[stratum]
    region = (rng.uniform(size=n)[:, None] > cum[:, :2]).sum(axis=1)
    lin = -0.3 + psu_eff + 0.4 * male + np.array([0.0, 0.3, 0.6])[age]
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-lin))).astype(np.float64)
    latent = lin + rng.logistic(size=n)
    q5 = np.searchsorted(np.array([-1.5, -0.5, 0.5, 1.5]), latent)
    score = np.round(
        50 + 8 * psu_eff + 3 * male + np.array([0.0, 2.0, 5.0])[age] + rng.normal(0, 10, n), 3
    )
    return {
        "weight": weight,
        "stratum": stratum + 1,
        "psu": psu + 1,
        "region": Factor(region, ("North", "Central", "South")),
        "q5": Factor(q5, ("L1", "L2", "L3", "L4", "L5")),
        "y": y,
        "score": score,
    }


def timed(fn: Callable[[], Any], repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return float(best)


def r_times(path: Path, n_psus: int) -> dict[str, float]:
    """Parse bench.txt's line for the given number of PSUs: name -> seconds."""
    if not path.exists():
        return {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if f"strata, {n_psus} PSUs:" in line:
            return {
                m[0].strip(): float(m[1])
                for m in re.findall(r"(?:: |\| )([^|:]+?) ([\d.]+)s", line)
            }
    return {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--psus-per-stratum", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    default_r = (
        Path(__file__).resolve().parents[2] / "shared" / "reference" / "r-survey" / "bench.txt"
    )
    parser.add_argument("--r-bench", type=Path, default=default_r)
    args = parser.parse_args()

    d = make_data(args.rows, args.psus_per_stratum)
    des = Design.from_arrays(d["weight"], strata=d["stratum"], psu=d["psu"])
    calls: dict[str, Callable[[], Any]] = {
        "design": lambda: Design.from_arrays(d["weight"], strata=d["stratum"], psu=d["psu"]),
        "mean_score": lambda: an.mean(des, d["score"]),
        "mean_q5": lambda: an.mean(des, d["q5"]),
        "by_region_mean_score": lambda: an.by(des, d["score"], d["region"]),
        "by_region_q5": lambda: an.by(des, d["q5"], d["region"]),
        "ciprop_by_region": lambda: an.ciprop_by(des, d["y"], d["region"]),
        "chisq_q5_region": lambda: an.svychisq(des, d["q5"], d["region"]),
    }
    ref = r_times(args.r_bench, 4 * args.psus_per_stratum) if args.rows == 200_000 else {}
    print(f"# {args.rows} rows, 4 strata, {des.n_psus} PSUs; min of {args.repeats} runs")
    slow = []
    for name, fn in calls.items():
        fn()  # warm caches and imports
        secs = timed(fn, args.repeats)
        r = ref.get(R_NAMES[name])
        ratio = f"{r / secs:.0f}x faster than R ({r:.3f} s)" if r else "no R timing"
        print(f"BENCH {name} {secs:.5f} s  {ratio}")
        if r and r / secs < TARGET:
            slow.append(name)
    if slow:
        print(f"# below the {TARGET:.0f}x target: {', '.join(slow)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
