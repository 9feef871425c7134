"""Recall and over-masking of the personal-data scrubber on its frozen evaluation set.

The set (``analysis/text/data/personal_data_eval.tsv``) was written before the scrubber's
rules were tuned; see :mod:`analysis.text.scrub_evaluation` for what the figures mean.
Prints the per-kind recall and the time per answer, and the ``BENCH`` lines:

* ``scrubber_recall`` — personal-data strings wholly masked, % (goal >= 98);
* ``scrubber_name_recall`` — the same for person names, % (goal >= 95);
* ``scrubber_nonpersonal_removed`` — characters outside every labelled string that were
  replaced, % (goal <= 2);
* ``scrubber_ms_per_answer`` — time per answer, ms (goal < 2).

    .venv/bin/python bench/scrubber.py [--misses]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.text.scrub_evaluation import evaluate  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--misses", action="store_true", help="list what was missed or over-masked")
    args = parser.parse_args()
    result = evaluate()
    print(result.report())
    if args.misses:
        for miss in result.misses:
            print(f"MISS {miss.kind}: {miss.value} | {miss.scrubbed}")
        for over in result.over_masked:
            print(f"OVER {over.value} | {over.scrubbed}")
    print(f"BENCH scrubber_recall {100 * result.recall:.1f} %")
    print(f"BENCH scrubber_name_recall {100 * result.name_recall:.1f} %")
    print(f"BENCH scrubber_nonpersonal_removed {100 * result.nonpersonal_removed:.2f} %")
    print(f"BENCH scrubber_ms_per_answer {result.ms_per_answer:.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
