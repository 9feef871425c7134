"""A clone is complete: nothing under tests/, bench/, scripts/ or .ci/ reads outside it.

The design documents and reference data that accompany the project live in a sibling folder
that a person who clones the repository does not have. Whatever the tests, benchmarks and
scripts need from there is copied into ``tests/fixtures/`` with its origin and licence.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("tests", "bench", "scripts", ".ci")
TEXT_SUFFIXES = {".py", ".sh", ".md", ".txt", ".R", ".mjs", ".js", ".toml", ".cfg", ".ini", ""}
# Spelled in pieces so that this file does not name the folder itself.
SIBLING = "shared"
PATTERNS = [
    re.compile(re.escape("..") + r"[/\\]" + SIBLING + r"\b"),  # the parent folder
    re.compile(r"parents?\b.{0,40}/\s*[\"']" + SIBLING + r"[\"']"),  # a path built from parent
    re.compile(r"\b" + SIBLING + r"/(reference|seed|DESIGN)\b"),
]


def project_files() -> list[Path]:
    files = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in TEXT_SUFFIXES and "__pycache__" not in path.parts:
                files.append(path)
    return files


def offending_lines(path: Path, root: Path = ROOT) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for n, line in enumerate(text.splitlines(), 1)
        if any(p.search(line) for p in PATTERNS)
    ]


def test_the_scan_covers_every_folder() -> None:
    seen = {path.relative_to(ROOT).parts[0] for path in project_files()}
    assert seen == set(FOLDERS)


def test_no_file_reads_the_sibling_design_folder() -> None:
    found = [line for path in project_files() for line in offending_lines(path)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "line",
    [
        "FOLDER = ROOT.parent / " + '"' + SIBLING + '"' + ' / "reference"',
        "see ../" + SIBLING + "/DESIGN.md",
        "DESIGN = Path(__file__).resolve().parents[2].parent / '" + SIBLING + "' / 'DESIGN.md'",
        "cd " + SIBLING + "/reference/r-survey && Rscript x.R",
    ],
)
def test_the_scan_recognises_a_reference(tmp_path: Path, line: str) -> None:
    path = tmp_path / "probe.py"
    path.write_text("x = 1\n" + line + "\n", encoding="utf-8")
    assert [found.split(": ", 1)[1] for found in offending_lines(path, tmp_path)] == [line]
