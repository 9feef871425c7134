"""Writing an :class:`~.table.ExportTable` as CSV, XLSX, SPSS ``.sav`` or Stata ``.dta``
(pure Python, no Django).

* CSV: UTF-8 with a byte-order mark (Excel then reads the Chinese correctly), a header
  row of variable names, values as in the table (empty = missing).
* XLSX: openpyxl in write-only mode (rows are streamed, nothing is kept per cell), a
  ``data`` sheet and a ``variables`` sheet with each name, label and value labels.
* SPSS and Stata: pyreadstat, with variable labels and value labels. The formats' limits
  decide how long a label may be: SPSS keeps 255 bytes of a variable label and 120 bytes
  of a value label, Stata 80 characters of a variable label; a longer label is shortened
  in its question part (the option or row it names is kept). Missing strings are empty.

Cells that begin with ``=``, ``+``, ``-``, ``@`` or a tab are written so that a
spreadsheet does not run them as formulas (CSV: a leading ``'``; XLSX: typed as text),
because open answers come from the public.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from instruments.messages import gettext_noop

from .table import ExportColumn, ExportTable

Progress = Callable[[float], None]

SPSS_LABEL_BYTES = 255
SPSS_VALUE_LABEL_BYTES = 120
SPSS_FILE_LABEL_BYTES = 64
STATA_LABEL_CHARS = 80
STATA_VALUE_LABEL_CHARS = 32_000
ROWS_PER_CHUNK = 5_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Format:
    extension: str
    content_type: str


FORMATS: dict[str, Format] = {
    "csv": Format("csv", "text/csv; charset=utf-8"),
    "xlsx": Format("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "sav": Format("sav", "application/x-spss-sav"),
    "dta": Format("dta", "application/x-stata-dta"),
}


def _none(_fraction: float) -> None:
    return None


def write(fmt: str, table: ExportTable, path: Path, progress: Progress = _none) -> None:
    WRITERS[fmt](table, path, progress)


# --- CSV ---------------------------------------------------------------------------------


def write_csv(table: ExportTable, path: Path, progress: Progress = _none) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(table.names)
        formatters = [_csv_formatter(c) for c in table.columns]
        for start in range(0, table.n, ROWS_PER_CHUNK):
            stop = min(table.n, start + ROWS_PER_CHUNK)
            cells = [fmt(start, stop) for fmt in formatters]
            out.writerows(zip(*cells, strict=True))
            progress(stop / table.n)


def _csv_formatter(col: ExportColumn) -> Callable[[int, int], list[str]]:
    if col.kind == "string":
        strings = col.values
        return lambda a, b: [_safe_text(s) for s in strings[a:b]]
    values = cast(np.ndarray, col.values)  # only string columns hold a list
    if col.kind == "date":
        return lambda a, b: ["" if np.isnat(d) else str(d) for d in values[a:b]]
    if _integral(values):
        return lambda a, b: _integers(values[a:b])
    return lambda a, b: ["" if math.isnan(v) else repr(v) for v in values[a:b].tolist()]


def _integral(values: Any) -> bool:
    finite = values[~np.isnan(values)]
    return bool(np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2**53))


def _integers(values: np.ndarray) -> list[str]:
    missing = np.isnan(values)
    text = np.where(missing, 0, values).astype(np.int64).astype(str).tolist()
    if missing.any():
        for i in np.flatnonzero(missing).tolist():
            text[i] = ""
    return text


def _safe_text(s: str) -> str:
    return "'" + s if s.startswith(_FORMULA_START) else s


# --- XLSX --------------------------------------------------------------------------------


def write_xlsx(table: ExportTable, path: Path, progress: Progress = _none) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("data")
    ws.freeze_panes = "B2"
    ws.append(list(table.names))
    getters = [_xlsx_getter(ws, c) for c in table.columns]
    for start in range(0, table.n, ROWS_PER_CHUNK):
        stop = min(table.n, start + ROWS_PER_CHUNK)
        cells = [get(start, stop) for get in getters]
        for row in zip(*cells, strict=True):
            ws.append(row)
        progress(0.95 * stop / table.n)
    info = wb.create_sheet("variables")
    tr = table.translate
    headers = (gettext_noop("Variable"), gettext_noop("Label"), gettext_noop("Values"))
    info.append([tr(header) for header in headers])
    for col in table.columns:
        info.append([col.name, _xlsx_text(col.label), _xlsx_text(value_labels_text(col))])
    wb.save(path)
    progress(1.0)


def _xlsx_getter(ws: Any, col: ExportColumn) -> Callable[[int, int], list[Any]]:
    if col.kind == "string":
        strings = col.values
        return lambda a, b: [_xlsx_cell(ws, s) for s in strings[a:b]]
    values = cast(np.ndarray, col.values)  # only string columns hold a list
    if col.kind == "date":
        return lambda a, b: [None if np.isnat(d) else d.item() for d in values[a:b]]
    if _integral(values):

        def ints(a: int, b: int) -> list[Any]:
            part = values[a:b]
            nums = np.where(np.isnan(part), 0, part).astype(np.int64).tolist()
            return [None if m else v for v, m in zip(nums, np.isnan(part).tolist(), strict=True)]

        return ints
    return lambda a, b: [None if math.isnan(v) else v for v in values[a:b].tolist()]


def _xlsx_text(s: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", s)


def _xlsx_cell(ws: Any, s: str) -> Any:
    if not s:
        return None
    s = _xlsx_text(s)
    if not s.startswith(("=", "#")):
        return s
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=s)
    cell.data_type = "s"  # text, never a formula or an error code
    return cell


def value_labels_text(col: ExportColumn) -> str:
    return "; ".join(f"{value} = {label}" for value, label in col.value_labels.items())


# --- SPSS and Stata ----------------------------------------------------------------------


def write_sav(table: ExportTable, path: Path, progress: Progress = _none) -> None:
    import pyreadstat

    frame = _frame(table, small_floats=False)
    progress(0.3)
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=_cut_bytes(table.title, SPSS_FILE_LABEL_BYTES),
        column_labels={c.name: spss_label(c) for c in table},
        variable_value_labels={c.name: spss_value_labels(c) for c in table if c.value_labels},
        variable_measure={c.name: c.measure for c in table},
        variable_format=_spss_formats(table),
        row_compress=True,
    )
    progress(1.0)


def write_dta(table: ExportTable, path: Path, progress: Progress = _none) -> None:
    import pyreadstat

    frame = _frame(table, small_floats=True)
    progress(0.3)
    pyreadstat.write_dta(
        frame,
        str(path),
        file_label=table.title[:STATA_LABEL_CHARS],
        column_labels={c.name: stata_label(c) for c in table},
        variable_value_labels={c.name: stata_value_labels(c) for c in table if c.value_labels},
    )
    progress(1.0)


def spss_label(col: ExportColumn) -> str:
    return col.label_within(SPSS_LABEL_BYTES, in_bytes=True)


def spss_value_labels(col: ExportColumn) -> dict[int | float, str]:
    return {v: _cut_bytes(lab, SPSS_VALUE_LABEL_BYTES) for v, lab in col.value_labels.items()}


def stata_label(col: ExportColumn) -> str:
    return col.label_within(STATA_LABEL_CHARS)


def stata_value_labels(col: ExportColumn) -> dict[int | float, str]:
    return {v: lab[:STATA_VALUE_LABEL_CHARS] for v, lab in col.value_labels.items()}


def _frame(table: ExportTable, *, small_floats: bool) -> Any:
    """A pandas frame of the table's columns. Stata gets 4-byte floats for labelled
    columns (whole numbers below 2**24 are exact in them): half the file."""
    import pandas as pd

    data: dict[str, Any] = {}
    for col in table:
        if col.kind == "string":
            data[col.name] = pd.Series(col.values, dtype=object)
            continue
        values = cast(np.ndarray, col.values)  # only string columns hold a list
        if col.kind == "date":  # date objects: written as DATE11 / %td
            dates = [None if np.isnat(d) else d.item() for d in values]
            data[col.name] = pd.Series(dates, dtype=object)
        elif small_floats and col.value_labels and _fits_float32(values):
            data[col.name] = values.astype(np.float32)
        else:
            data[col.name] = values
    return pd.DataFrame(data, copy=False)


def _fits_float32(values: np.ndarray) -> bool:
    finite = values[~np.isnan(values)]
    return bool(finite.size == 0 or np.abs(finite).max() < 2**24)


def _spss_formats(table: ExportTable) -> dict[str, str]:
    out = {}
    for col in table:
        if col.kind != "numeric":
            continue
        values = cast(np.ndarray, col.values)
        finite = values[~np.isnan(values)]
        digits = len(str(int(np.abs(finite).max()))) if finite.size else 1
        if _integral(values):
            out[col.name] = f"F{max(digits + 1, 3)}.0"
        else:
            out[col.name] = f"F{min(max(digits + 5, 8), 40)}.3"
    return out


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


WRITERS: dict[str, Callable[[ExportTable, Path, Progress], None]] = {
    "csv": write_csv,
    "xlsx": write_xlsx,
    "sav": write_sav,
    "dta": write_dta,
}
