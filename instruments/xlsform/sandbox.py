"""Parse an untrusted workbook in a short-lived child process with hard memory and time caps.

The container checks (``guard.check_container``) run in the caller's process: they read
only the ZIP directory. Everything that inflates or parses — the XML scan and openpyxl —
runs in a fresh ``python`` child: its address space is capped with ``RLIMIT_AS``, its CPU
time with ``RLIMIT_CPU``, and the caller kills it after ``timeout_seconds``. Whatever a
hostile file makes openpyxl allocate is therefore allocated in the child and returned to
the system when it exits; the web worker only ever holds the upload and the (size-capped)
plain result. A fresh interpreter rather than ``fork`` because the web worker may run
threads, and a forked copy of it would inherit its memory and locks.

The child receives ``(job, data, limits)`` pickled on stdin and writes ``(status, value)``
pickled on stdout; ``job`` is a module-level function of this package, so only our own
code runs there. The result is refused when its pickle exceeds ``max_result_bytes``.
"""

from __future__ import annotations

import functools
import io
import pickle
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from instruments.messages import Message, gettext_noop
from instruments.schema import Instrument, ValidationIssue

from .guard import NOT_XLSX, WorkbookLimits, WorkbookRefused, check_container, scan_parts

TOO_COSTLY = gettext_noop(
    "Reading the workbook needed more than {seconds} seconds or {memory} MB of memory; it "
    "was refused. Save it again in Excel without unused sheets, rows and formatting."
)
TOO_MUCH_DATA = gettext_noop(
    "The workbook holds more data than can be imported at once. Split it into several files."
)
MORE_ISSUES = gettext_noop("… and {count} more problems.")

#: Problems reported for one XLSForm; a broken form of thousands of rows would otherwise
#: send back (and render) one message per cell.
MAX_ISSUES = 500

_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds ``instruments``
_BOOT = "from instruments.xlsform.sandbox import child_main; child_main()"


def run_bounded[T](
    job: Callable[[bytes, WorkbookLimits], T], data: bytes, limits: WorkbookLimits
) -> T:
    """``job(data, limits)`` in a child process; WorkbookRefused when it is refused,
    unreadable, too slow or too hungry."""
    request = pickle.dumps((job, data, limits), protocol=pickle.HIGHEST_PROTOCOL)
    costly = Message(
        TOO_COSTLY,
        {"seconds": round(limits.timeout_seconds), "memory": limits.memory_bytes // 2**20},
    )
    with subprocess.Popen(
        [sys.executable, "-c", _BOOT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=_ROOT,
    ) as child:
        try:
            out, _ = child.communicate(request, timeout=limits.timeout_seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise WorkbookRefused(costly) from None
    # Killed by a signal (SIGXCPU from RLIMIT_CPU, SIGKILL, an abort in C code on a failed
    # allocation), or wrote more than it may: either way the workbook cost too much.
    if child.returncode != 0 or not out or len(out) > limits.max_result_bytes + 1024:
        raise WorkbookRefused(costly)
    status, value = pickle.loads(out)
    if status == "ok":
        result: T = value
        return result
    if status == "costly":
        raise WorkbookRefused(costly)
    raise WorkbookRefused(value if isinstance(value, Message) else Message(NOT_XLSX))


def child_main() -> None:
    """The child's side: read the request, cap resources, run the job, write the result."""
    job, data, limits = pickle.load(sys.stdin.buffer)
    _cap_resources(limits)
    try:
        result: tuple[str, Any] = ("ok", job(data, limits))
    except WorkbookRefused as refusal:
        result = ("refused", refusal.message)
    except (MemoryError, RecursionError):
        result = ("costly", None)
    # openpyxl reports a damaged file with many exception types (zip, XML, KeyError…);
    # the file is untrusted, so any of them means "not a readable workbook".
    except Exception:
        result = ("refused", Message(NOT_XLSX))
    out = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    if len(out) > limits.max_result_bytes:
        out = pickle.dumps(("refused", Message(TOO_MUCH_DATA)))
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()


def _cap_resources(limits: WorkbookLimits) -> None:
    # RLIMIT_AS counts address space, not resident memory: add the budget to what the
    # interpreter already maps so the cap means "this much more".
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    cap = mapped + limits.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    seconds = int(limits.timeout_seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))


# --- jobs (run in the child) -------------------------------------------------------------


def read_xlsform_bounded(
    data: bytes, limits: WorkbookLimits
) -> tuple[Instrument | None, list[ValidationIssue]]:
    """``read_xlsform`` of an untrusted upload, bounded; raises WorkbookRefused."""
    check_container(data, limits)
    return run_bounded(_xlsform_job, data, limits)


def _xlsform_job(
    data: bytes, limits: WorkbookLimits
) -> tuple[Instrument | None, list[ValidationIssue]]:
    from .reader import read_xlsform

    scan_parts(data, limits)
    instrument, issues = read_xlsform(data, limits=None)  # the scan just ran
    if len(issues) > MAX_ISSUES:
        more = Message(MORE_ISSUES, {"count": len(issues) - MAX_ISSUES})
        issues = [*issues[:MAX_ISSUES], ValidationIssue(more, kind="file")]
    return instrument, issues


def sheet_rows_bounded(
    data: bytes, limits: WorkbookLimits, *, keep: frozenset[str], max_chars: int
) -> list[tuple[int, list[str]]]:
    """The first worksheet's rows as text, numbered as Excel shows them; bounded, raises
    WorkbookRefused.

    Row 1 (the header) comes back whole. Of the other rows only the columns whose header,
    trimmed and casefolded, is in ``keep`` carry text, and rows without any such text are
    left out: a roster needs five columns, and neither a wide file nor thousands of
    formatted empty rows should travel back. Each text is cut at ``max_chars``.
    """
    check_container(data, limits)
    job = functools.partial(_sheet_rows_job, keep=keep, max_chars=max_chars)
    return run_bounded(job, data, limits)


def _sheet_rows_job(
    data: bytes, limits: WorkbookLimits, *, keep: frozenset[str], max_chars: int
) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    scan_parts(data, limits, first_sheet_only=True)
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if not book.worksheets:
            return []
        sheet = book.worksheets[0]
        # Rows then end at their last cell, whatever width the sheet claims to have.
        sheet.reset_dimensions()
        rows: list[tuple[int, list[str]]] = []
        kept: list[int] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number == 1:
                header = [_cell_text(value) for value in values]
                kept = [i for i, text in enumerate(header) if text.strip().casefold() in keep]
                rows.append((1, [text[:max_chars] for text in header]))
                continue
            cells = [_cell_text(values[i])[:max_chars] if i < len(values) else "" for i in kept]
            if any(text.strip() for text in cells):
                width = max(kept, default=-1) + 1
                row = [""] * width
                for index, text in zip(kept, cells, strict=True):
                    row[index] = text
                rows.append((number, row))
        return rows
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers typed as numbers
    return str(value)
