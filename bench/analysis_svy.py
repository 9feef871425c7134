"""Times the ``svy`` package on the data bench/analysis.py writes (same calls as there).

Runs in an interpreter that has svy (``make bench`` builds var/bench-svy for it):

    var/bench-svy/bin/python bench/analysis_svy.py data.csv [repeats]

Prints one line per call: ``SVYTIME <name> <seconds>`` (minimum over the repeats). The
calls mirror bench/analysis_survey.R: Taylor linearisation on strata + PSUs, logit CIs,
Rao-Scott table, binomial GLM with 6 terms, raking to three margins.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import polars as pl
import svy


def tm(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    data = pl.read_csv(sys.argv[1])
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3

    def design() -> Any:
        return svy.Sample(data=data, design=svy.Design(stratum="stratum", psu="psu", wgt="weight"))

    s = design()
    est = s.estimation
    tot = float(data["weight"].sum())
    controls = {
        "sex": {"F": 0.5 * tot, "M": 0.5 * tot},
        "agegrp": {"18-34": 0.3 * tot, "35-54": 0.4 * tot, "55+": 0.3 * tot},
        "region": {"North": 0.3 * tot, "Central": 0.3 * tot, "South": 0.4 * tot},
    }
    terms = ["score", svy.Cat("sex"), svy.Cat("region"), svy.Cat("agegrp")]
    calls: dict[str, Callable[[], Any]] = {
        "design": design,
        "mean": lambda: est.mean("score"),
        "proportions_5": lambda: est.prop("q5"),
        "by_domain_mean": lambda: est.mean("score", by="region"),
        "by_domain_proportions": lambda: est.prop("q5", by="region"),
        "ciprop_by_domain": lambda: est.prop("y", by="region", ci_method="logit"),
        "chisq_5x3": lambda: s.categorical.tabulate("q5", "region").stats,
        "logistic_6_terms": lambda: s.glm.fit(y="y", x=terms, family="binomial"),
        "rake_3_margins": lambda: s.weighting.rake(controls=controls),
    }
    for name, fn in calls.items():
        fn()  # warm up
        print(f"SVYTIME {name} {tm(fn, repeats):.6f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
