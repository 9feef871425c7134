"""The questionnaire logic and the statistics run without Django (DESIGN.md §3, §8)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PURE = [
    "analysis",
    "instruments.logic",
    "instruments.schema",
    "instruments.validation",
    "instruments.xlsform",
    "instruments.diff",
    "instruments.rendering",
    "instruments.standard",
]


def test_pure_packages_import_no_django():
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in PURE)
        + "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
