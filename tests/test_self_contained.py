"""A clone is complete: nothing under tests/, bench/, scripts/ or .ci/ reaches outside it.

Whatever the tests, benchmarks and scripts need (reference data, sample workbooks, the
taxonomy) is in the repository, copied into ``tests/fixtures/`` with its origin and
licence. The check is about paths, not names: no file builds a path that climbs above the
repository's root — from ``__file__`` in Python, from ``$0`` in shell scripts, or from a
root constant (``ROOT.parent``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("tests", "bench", "scripts", ".ci")
SUFFIXES = {".py", ".sh", ".mjs", ".js", ""}
# Path(__file__)[.resolve()] then .parent steps and/or .parents[N]
PY_CLIMB = re.compile(
    r"Path\(__file__\)(?:\.resolve\(\))?(?P<steps>(?:\.parent\b|\.parents\[\d+\])+)"
)
STEP = re.compile(r"\.parent\b|\.parents\[(\d+)\]")
# a root constant's parent: outside the repository by definition
ROOT_PARENT = re.compile(r"\b(?:ROOT|REPO_ROOT|BASE_DIR|PROJECT_ROOT)\.parent\b")
# "$(dirname "$0")/../.." in shell
SH_CLIMB = re.compile(r"""dirname\s+["']?\$0["']?\)(?P<ups>(?:/\.\.)+)""")


def climb(steps: str) -> int:
    """How many folders ``.parent`` / ``.parents[N]`` steps go up from a file."""
    return sum(int(m.group(1)) + 1 if m.group(1) else 1 for m in STEP.finditer(steps))


def offending_lines(path: Path, root: Path = ROOT) -> list[str]:
    """Lines of ``path`` that build a path above ``root``."""
    depth = len(path.relative_to(root).parts)  # climbs from the file allowed to reach root
    found = []
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), 1):
        py = PY_CLIMB.search(line)
        sh = SH_CLIMB.search(line)
        outside = (
            (py is not None and climb(py.group("steps")) > depth)
            or (sh is not None and sh.group("ups").count("..") + 1 > depth)
            or ROOT_PARENT.search(line) is not None
        )
        if outside:
            found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return found


def project_files() -> list[Path]:
    files = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            # This file itself only holds examples of the patterns (tested below).
            own = path == Path(__file__).resolve()
            if path.is_file() and path.suffix in SUFFIXES and "__pycache__" not in path.parts:
                if not own:
                    files.append(path)
    return files


def test_the_scan_covers_every_folder() -> None:
    assert {path.relative_to(ROOT).parts[0] for path in project_files()} == set(FOLDERS)


def test_no_file_reaches_outside_the_repository() -> None:
    found = [line for path in project_files() for line in offending_lines(path)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("where", "line", "outside"),
    [
        ("tests/x/test_a.py", 'FOLDER = REPO_ROOT.parent / "reference" / "xlsform"', True),
        ("tests/x/test_a.py", 'D = Path(__file__).resolve().parents[2].parent / "D.md"', True),
        ("tests/x/test_a.py", "R = Path(__file__).resolve().parents[2]", False),
        ("tests/x/test_a.py", "R = Path(__file__).parent.parent.parent", False),
        ("tests/x/test_a.py", "R = Path(__file__).parent.parent.parent.parent", True),
        ("bench/b.py", "ROOT = Path(__file__).resolve().parent.parent", False),
        (".ci/run", 'cd "$(dirname "$0")/.."', False),
        (".ci/run", 'cd "$(dirname "$0")/../.."', True),
    ],
)
def test_the_scan_tells_inside_from_outside(
    tmp_path: Path, where: str, line: str, outside: bool
) -> None:
    path = tmp_path / where
    path.parent.mkdir(parents=True)
    path.write_text("x = 1\n" + line + "\n", encoding="utf-8")
    assert bool(offending_lines(path, tmp_path)) is outside
