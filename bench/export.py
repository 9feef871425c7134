"""Speed and memory of the SPSS export of a 200,000-response wave (run by ``make bench``).

The dataset is built from **simulated answers** to the standard questionnaire
(``analysis.simulate``, as in ``bench/analysis.py``'s wave table bench), not from the
database: the database side of an export (the dataset loader and its cache) is timed by
``bench/analysis.py``'s loader bench. Every open answer is made distinct (a serial number
is appended), so the scrubber really runs on each of them instead of on the handful of
phrases the simulator repeats.

Two child processes: the first simulates the answers, builds the dataset and saves it as
the loader's cache file would be; the second is the export as the job runs it after the
cache is current — load the dataset file, make the opaque response ids, build the export
table for the survey office (open answers scrubbed) and write the ``.sav`` with its
variable and value labels. ``BENCH export_sav_200k_seconds`` is the wall time of that
second process's work; ``BENCH export_sav_200k_peak_mib`` is its peak resident memory,
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` read by the export process itself at the
end (the whole process: interpreter, numpy, pandas and pyreadstat included). Goal: at
most 60 s and 1.5 GiB.

    .venv/bin/python bench/export.py [--rows 200000] [--stations 40]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 60.0
GOAL_MIB = 1.5 * 1024


def distinct_texts(answers: Iterator[dict[str, Any]], codes: set[str]) -> Iterator[dict[str, Any]]:
    for i, doc in enumerate(answers):
        for code in codes & doc.keys():
            if isinstance(doc[code], str) and doc[code]:
                doc[code] = f"{doc[code]}（第{i}份）"
        yield doc


def prepare(folder: Path, rows: int, stations: int) -> None:
    import analysis as an
    from analysis.codebook import Kind
    from analysis.simulate import simulate_answers, simulate_meta
    from instruments.standard import load_standard

    start = time.perf_counter()
    ins = load_standard()
    texts = {v.code for v in an.codebook_from_instrument(ins) if v.kind is Kind.TEXT}
    meta = simulate_meta(rows, stations=stations, strata=4, seed=11)
    answers = distinct_texts(simulate_answers(ins, rows, seed=11, station=meta["station"]), texts)
    ds = an.dataset_from_answers(ins, answers, meta, reference_year=2026)
    an.save_dataset(ds, folder / "wave.npz")
    took = time.perf_counter() - start
    print(f"# simulated {rows} answers and built the dataset in {took:.1f} s")


def export(folder: Path) -> None:
    import numpy as np

    import analysis as an
    from survey_platform.exports.table import ExportOptions, export_table, opaque_ids
    from survey_platform.exports.writers import write_sav

    out = folder / "wave.sav"
    start, cpu = time.perf_counter(), time.process_time()
    ds = an.load_dataset(folder / "wave.npz")
    ids = opaque_ids(b"bench-key", np.arange(1, ds.n + 1))
    units = tuple(lv.label("zh-hans") for lv in ds.codebook["station"].levels)
    table = export_table(ds, ids, ExportOptions(scrub_units=units, title="bench 200k"))
    del ds
    write_sav(table, out)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"{seconds:.3f} {cpu:.3f} {peak_mib:.1f} {table.n} {len(table.columns)}")


def check(folder: Path, rows: int, columns: int) -> int:
    """The file's size, after checking that it reads back with its labels."""
    import pyreadstat

    path = folder / "wave.sav"
    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    assert meta.number_rows == rows and meta.number_columns == columns, meta.number_rows
    assert meta.variable_value_labels["A1"], "value labels missing"
    return path.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--stations", type=int, default=40)
    parser.add_argument("--child", choices=("prepare", "export"))
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.child == "prepare":
        prepare(args.folder, args.rows, args.stations)
        return 0
    if args.child == "export":
        export(args.folder)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        me = [sys.executable, __file__, "--folder", tmp, "--rows", str(args.rows)]
        subprocess.run([*me, "--child", "prepare", "--stations", str(args.stations)], check=True)
        done = subprocess.run(
            [*me, "--child", "export"], check=True, capture_output=True, text=True
        )
        seconds, cpu, peak, n, columns = done.stdout.split()
        size = check(Path(tmp), int(n), int(columns))
    label = f"{args.rows // 1000}k" if args.rows % 1000 == 0 else str(args.rows)
    print(f"# {n} rows x {columns} columns, {size / 2**20:.0f} MiB .sav file")
    print(f"# export process CPU time {float(cpu):.1f} s (wall time above it = other load)")
    print(f"BENCH export_sav_{label}_seconds {float(seconds):.2f} s")
    print(f"BENCH export_sav_{label}_peak_mib {float(peak):.0f} MiB")
    ok = float(seconds) <= GOAL_SECONDS and float(peak) <= GOAL_MIB
    print(f"# goal <= {GOAL_SECONDS:.0f} s and <= {GOAL_MIB:.0f} MiB: {'met' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
