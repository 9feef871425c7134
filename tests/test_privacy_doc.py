"""docs/privacy.md cites a test for every cell of its threat model: each cited test file
exists and defines each cited test, so the page cannot drift from what is proved."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "privacy.md"
# `dir/test_x.py::test_name` or a bare `dir/test_x.py`; `::test_other` continues the last file.
CITATION = re.compile(r"`((?:[\w-]+/)*test_\w+\.py)?(?:::(\w+))?`")


def citations() -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    last = ""
    for match in CITATION.finditer(DOC.read_text(encoding="utf-8")):
        path, name = match.group(1), match.group(2)
        if path is None and name is None:
            continue
        last = path or last
        assert last, f"a test name before any file: {match.group(0)}"
        found.append((last, name))
    return found


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_the_page_cites_tests() -> None:
    assert len(citations()) >= 40


def test_every_cited_test_exists() -> None:
    missing = []
    for path, name in citations():
        file = ROOT / "tests" / path
        if not file.is_file():
            missing.append(path)
        elif name is not None and name not in defined_tests(file):
            missing.append(f"{path}::{name}")
    assert not missing, missing
