"""Speed of the analysis engine on 200,000 respondents (run by ``make bench``).

Part 1 times the core estimators on a synthetic complex sample shaped like the R fixture
(4 strata, 40 PSUs, fixed seed): ``BENCH <name> <seconds> s`` is the minimum of several
runs. When ``Rscript`` with the survey package is on PATH the same calls run in R on the
same data (``bench/analysis_survey.R``, minimum of 3 runs) and ``BENCH
<name>.ratio_vs_R <x> x`` gives R's time over ours; likewise ``.ratio_vs_svy`` for the
``svy`` package when it is importable.

Part 2 simulates 200,000 answers to the standard questionnaire, builds the dataset,
caches and reloads it, and times the full wave table (every closed item x whole sample,
sector, region, title, age group, sex), with its peak memory from tracemalloc.

    .venv/bin/python bench/analysis.py [--rows 200000] [--repeats 3] [--no-r]
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import analysis as an  # noqa: E402
from analysis import Design, Factor  # noqa: E402
from analysis.simulate import simulate_answers, simulate_meta  # noqa: E402
from instruments.standard import load_standard  # noqa: E402

R_SCRIPT = Path(__file__).resolve().parent / "analysis_survey.R"
LEVELS = {
    "q5": ("L1", "L2", "L3", "L4", "L5"),
    "region": ("North", "Central", "South"),
    "sex": ("F", "M"),
    "agegrp": ("18-34", "35-54", "55+"),
}


def make_data(n: int, per_stratum: int = 10, seed: int = 7) -> dict[str, Any]:
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
    q5 = np.searchsorted(np.array([-1.5, -0.5, 0.5, 1.5]), lin + rng.logistic(size=n))
    score = np.round(
        50 + 8 * psu_eff + 3 * male + np.array([0.0, 2.0, 5.0])[age] + rng.normal(0, 10, n), 3
    )
    return {
        "weight": weight,
        "stratum": stratum + 1,
        "psu": psu + 1,
        "sex": Factor(male.astype(np.int64), LEVELS["sex"]),
        "agegrp": Factor(age, LEVELS["agegrp"]),
        "region": Factor(region, LEVELS["region"]),
        "q5": Factor(q5, LEVELS["q5"]),
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


def core_calls(d: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    des = Design.from_arrays(d["weight"], strata=d["stratum"], psu=d["psu"])
    x, names = an.model_matrix(
        {"score": d["score"], "sex": d["sex"], "region": d["region"], "agegrp": d["agegrp"]},
        des.n,
    )
    total = des.sum_weights
    margins = [
        (d["sex"], [0.5 * total, 0.5 * total]),
        (d["agegrp"], [0.3 * total, 0.4 * total, 0.3 * total]),
        (d["region"], [0.3 * total, 0.3 * total, 0.4 * total]),
    ]
    return {
        "design": lambda: Design.from_arrays(d["weight"], strata=d["stratum"], psu=d["psu"]),
        "mean": lambda: an.mean(des, d["score"]),
        "proportions_5": lambda: an.mean(des, d["q5"]),
        "by_domain_mean": lambda: an.by(des, d["score"], d["region"]),
        "by_domain_proportions": lambda: an.by(des, d["q5"], d["region"]),
        "ciprop_by_domain": lambda: an.ciprop_by(des, d["y"], d["region"]),
        "chisq_5x3": lambda: an.svychisq(des, d["q5"], d["region"]),
        "logistic_6_terms": lambda: an.svyglm(des, x, d["y"], family="quasibinomial", terms=names),
        "rake_3_margins": lambda: an.rake(des, margins),
    }


def r_times(d: dict[str, Any], repeats: int) -> dict[str, float]:
    """R's timings of the same calls, or {} without Rscript and the survey package."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        print("# Rscript not on PATH: no ratio_vs_R")
        return {}
    check = subprocess.run(
        [rscript, "-e", "quit(status = !requireNamespace('survey', quietly = TRUE))"],
        capture_output=True,
        check=False,
    )
    if check.returncode != 0:
        print("# R has no survey package: no ratio_vs_R")
        return {}
    import pandas as pd

    frame = pd.DataFrame(
        {
            key: (np.asarray(val.levels)[val.codes] if isinstance(val, Factor) else val)
            for key, val in d.items()
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        frame.to_csv(path, index=False)
        res = subprocess.run(
            [rscript, str(R_SCRIPT), str(path), str(repeats)],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
    if res.returncode != 0:
        print(f"# R benchmark failed: {res.stderr.strip()[-300:]}")
        return {}
    out = {}
    for line in res.stdout.splitlines():
        if line.startswith("RTIME "):
            _, name, secs = line.split()
            out[name] = float(secs)
    return out


def svy_times(d: dict[str, Any], repeats: int) -> dict[str, float]:
    """The ``svy`` package's timings of the calls it shares, when it is installed."""
    if importlib.util.find_spec("svy") is None:
        print("# svy not installed: no ratio_vs_svy")
        return {}
    try:
        import polars as pl
        import svy

        data = pl.DataFrame(
            {"score": d["score"], "weight": d["weight"], "stratum": d["stratum"], "psu": d["psu"]}
        )
        design = svy.Design(stratum="stratum", psu="psu", wgt="weight")
        sample = svy.Sample(data=data, design=design)
        return {"mean": timed(lambda: sample.estimation.mean(y="score"), repeats)}
    except Exception as exc:  # an API we do not know: report, do not fail the bench
        print(f"# svy present but not usable here ({type(exc).__name__}: {exc})")
        return {}


def wave_table_bench(rows: int) -> None:
    ins = load_standard()
    meta = simulate_meta(rows, stations=40, strata=4, seed=11)
    start = time.perf_counter()
    answers = list(simulate_answers(ins, rows, seed=11, station=meta["station"]))
    print(f"# simulated {rows} answers to {ins.id} in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    ds = an.dataset_from_answers(ins, answers, meta, reference_year=2025)
    print(f"BENCH dataset_build {time.perf_counter() - start:.5f} s")
    del answers
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wave.npz"
        start = time.perf_counter()
        an.save_dataset(ds, path)
        print(f"BENCH dataset_save {time.perf_counter() - start:.5f} s")
        load = timed(lambda: an.load_dataset(path), 3)
        print(f"BENCH dataset_load {load:.5f} s")
    secs = timed(lambda: an.wave_table(ds), 2)
    tracemalloc.start()
    table = an.wave_table(ds)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    blank = int(table.suppressed.sum())
    print(
        f"# wave table: {len(set(table.variable.tolist()))} columns, {len(table)} rows, "
        f"{blank} suppressed"
    )
    print(f"BENCH wave_table {secs:.5f} s")
    print(f"BENCH wave_table_peak_mib {peak / 2**20:.1f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-r", action="store_true", help="skip the R comparison")
    args = parser.parse_args()

    d = make_data(args.rows)
    calls = core_calls(d)
    print(f"# {args.rows} rows, 4 strata, 40 PSUs; min of {args.repeats} runs")
    ours = {}
    for name, fn in calls.items():
        fn()  # warm caches and imports
        ours[name] = timed(fn, args.repeats)
        print(f"BENCH {name} {ours[name]:.5f} s")
    others = {} if args.no_r else {"R": r_times(d, args.repeats)}
    others["svy"] = svy_times(d, args.repeats)
    for label, times in others.items():
        for name, secs in times.items():
            if name in ours:
                print(f"BENCH {name}.ratio_vs_{label} {secs / ours[name]:.1f} x")
    wave_table_bench(args.rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
