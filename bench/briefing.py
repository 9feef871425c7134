"""Speed of a complete briefing of a 200,000-response wave, analysis included.

Prints ``BENCH briefing_200k_seconds <s> s`` (goal: 30 s on the 2-core machine) and, before
it, one ``BENCH briefing_200k_<part>_seconds`` line per part: indicators, grievance_table,
sector_cells, wave_table, content, charts_and_pdf. The clock runs from the wave's analysis
dataset to the finished PDF, through the functions the briefing job runs:

* the grievance indicators (closed-item rules, and the open answers classified: every
  written K1/K2 answer), the grievance table with its comparison to the previous wave,
  hotspots, models, quotes and themes, and the grievance x sector cells — what
  ``survey_platform.fieldwork.grievances.wave_grievance_report`` computes;
* the wave table (every closed item by the standard domains) for the quoted means;
* the trend, the content in both wordings' builder, the charts and the typesetting
  (weasyprint, CJK fonts embedded, contents page when longer than six pages).

Not on the clock, said plainly: simulating the answers and building the ``Dataset``. The
dataset is built **directly from simulated answers** (``analysis.simulate`` for the closed
items; open answers recombined from the labelled answers as in ``bench/text.py``, written
by 38% (K1) and 30% (K2) of respondents, the demo's shares), not loaded through the
database: in the platform it is built once when responses arrive and cached
(``bench/analysis.py`` times that loader). The previous wave's table is also computed
beforehand, from a quarter as many simulated answers (it only feeds the change column and
the trend): the platform keeps it in its cache from when that wave was analysed.

    .venv/bin/python bench/briefing.py [--rows 200000] [--out briefing.pdf]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

K1_SHARE, K2_SHARE = 0.38, 0.30
STATIONS, SECTORS, REGIONS = 40, 8, 8


def configure(folder: str) -> None:
    """Django settings for templates and translations; no database is touched."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "survey_platform.settings.test"
    os.environ["VAR_DIR"] = folder
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/unused.sqlite3"
    import django

    django.setup()


def _text_generator() -> Any:
    spec = importlib.util.spec_from_file_location("bench_text", Path(__file__).parent / "text.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


def simulated_dataset(rows: int, seed: int) -> Any:
    import analysis as an
    from analysis.simulate import simulate_answers, simulate_meta
    from instruments.standard import load_standard

    ins = load_standard()
    meta = simulate_meta(rows, stations=STATIONS, strata=SECTORS, seed=seed)
    station_no = np.array([int(s[1:]) - 1 for s in meta["station"]])
    meta["region"] = np.array([f"r{(i * 3) % REGIONS + 1}" for i in station_no])
    rng = np.random.default_rng(seed)
    generate = _text_generator()
    k1 = generate(rows, seed)
    k2 = generate(rows, seed + 1)
    writes1 = rng.random(rows) < K1_SHARE
    writes2 = rng.random(rows) < K2_SHARE

    def docs() -> Any:
        for i, doc in enumerate(simulate_answers(ins, rows, seed=seed, station=meta["station"])):
            doc["K1"] = k1[i] if writes1[i] else None
            doc["K2"] = k2[i] if writes2[i] else None
            yield doc

    labels = {
        "sector": {f"sec{j + 1}": {"zh-hans": f"行业{j + 1}", "en": f"Sector {j + 1}"}
                   for j in range(SECTORS)},
        "region": {f"r{j + 1}": {"zh-hans": f"县区{j + 1}", "en": f"County {j + 1}"}
                   for j in range(REGIONS)},
    }  # fmt: skip
    labels["stratum"] = labels["sector"]
    return an.dataset_from_answers(ins, docs(), meta, labels=labels, reference_year=2026)


def analyse(ds: Any, previous: Any, code: str) -> tuple[Any, dict[str, Any], dict[str, float]]:
    """The grievance report of a wave, as fieldwork.grievances computes it."""
    from analysis.grievances import grievance_indicators, grievance_table, load_taxonomy
    from survey_platform.fieldwork.grievances import _sector_cells

    tax = load_taxonomy()
    parts: dict[str, float] = {}
    start = time.perf_counter()
    ind = grievance_indicators(ds, tax)
    parts["indicators"] = time.perf_counter() - start
    start = time.perf_counter()
    table = grievance_table(
        ds, ind, taxonomy=tax, previous=previous, wave=code, lonely_psu="adjust"
    )
    parts["grievance_table"] = time.perf_counter() - start
    start = time.perf_counter()
    sectors = _sector_cells(ds, ind, tax, table.k)
    parts["sector_cells"] = time.perf_counter() - start
    return table, sectors, parts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", default="", help="also write the PDF here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-briefing-") as folder:
        configure(folder)
        import analysis as an
        from analysis.grievances import load_taxonomy
        from reports.content import build_content
        from reports.inputs import (
            BriefingInputs,
            Fieldwork,
            Weighting,
            published_means,
            trend_from_tables,
        )
        from reports.pdf import render_briefing

        start = time.perf_counter()
        before = simulated_dataset(max(args.rows // 4, 2000), args.seed + 100)
        ds = simulated_dataset(args.rows, args.seed)
        print(f"# simulated the two waves in {time.perf_counter() - start:.0f} s")
        start = time.perf_counter()
        previous, _sectors, _parts = analyse(before, None, "2025-Q4")
        took = time.perf_counter() - start
        print(f"# the previous wave's table (cached in the platform): {took:.1f} s")
        del before

        clock = time.perf_counter()
        table, sectors, parts = analyse(ds, previous, "2026-Q4")
        start = time.perf_counter()
        means = published_means(an.wave_table(ds, lonely_psu="adjust"), ("B1", "B2"))
        parts["wave_table"] = time.perf_counter() - start
        start = time.perf_counter()
        waves, trend = trend_from_tables([previous, table], load_taxonomy())
        inputs = BriefingInputs(
            fieldwork=Fieldwork(
                code="2026-Q4",
                title="2026年度科技工作者状况调查",
                title_en="2026 survey of S&T workers",
                opens=date(2026, 10, 1),
                closes=date(2026, 11, 30),
                stations=STATIONS,
                sectors=SECTORS,
                regions=REGIONS,
                target=int(args.rows * 1.1),
                completes=args.rows,
                invitations=int(args.rows * 1.3),
                invitations_completed=args.rows,
                analysed=ds.n,
            ),
            weighting=Weighting(None, (), (0.3, 3.0), float(an.kish_deff(ds.weights))),
            table=table,
            sectors=sectors,
            means=means,
            trend_waves=waves,
            trend=trend,
        )
        content = build_content(
            inputs, number=12, language="zh-hans", issued=date(2026, 12, 1),
            issuer="滁州市科学技术协会",
        )  # fmt: skip
        parts["content"] = time.perf_counter() - start
        start = time.perf_counter()
        pdf = render_briefing(content)
        parts["charts_and_pdf"] = time.perf_counter() - start
        total = time.perf_counter() - clock
        if args.out:
            Path(args.out).write_bytes(pdf.content)
        print(
            f"# {ds.n} respondents, {table.n_open_answers} wrote an open answer; "
            f"{pdf.pages} pages, {len(pdf.content) / 1e6:.1f} MB, contents page: {pdf.toc}"
        )
        tag = f"briefing_{args.rows // 1000}k"
        for part, seconds in parts.items():
            print(f"BENCH {tag}_{part}_seconds {seconds:.2f} s")
        print(f"BENCH {tag}_seconds {total:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
