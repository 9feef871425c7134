"""Checks on an untrusted .xlsx before openpyxl parses it: ZIP bombs, XML bombs, huge sheets.

An .xlsx is a ZIP archive of XML parts, and openpyxl trusts both layers: it inflates
whatever a part holds, keeps the whole shared-strings table in memory, and yields every
row up to the highest row number it meets. A 2 MB upload can therefore ask for gigabytes
of memory or minutes of work. Two steps refuse such files before any parse:

1. ``check_container`` reads only the ZIP directory (no part is inflated): the file
   size, the number of parts (from the end record, before ``zipfile`` lists them), the
   compressed and the declared unpacked totals, each large part's compression ratio, and
   the size of the shared-strings part.
2. ``scan_parts`` streams every XML part through expat, a chunk at a time and counting
   the inflated bytes (declared sizes can lie), and refuses any document type declaration
   (Excel never writes one; it is how XXE and "billion laughs" entity bombs start),
   nesting deeper than any workbook needs, text runs longer than Excel allows in a cell,
   and sheets with more rows or columns than the caller allows. The ``<dimension>`` a
   sheet declares is not trusted either way (A1:AMJ1048576 is common in real files); the
   row numbers and cell references themselves are counted, and both readers ignore the
   declared dimension.

Limits come in as a ``WorkbookLimits`` (this package must not read Django settings).
Refusals raise ``WorkbookRefused`` carrying a translatable ``Message``.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import IO
from xml.parsers import expat

from instruments.messages import Message, gettext_noop

MIB = 1024 * 1024

NOT_XLSX = gettext_noop("The file is not a readable Excel workbook (.xlsx).")
OLD_XLS = gettext_noop(
    "This is an old .xls workbook; open it in a spreadsheet program and save it as .xlsx"
)
TOO_LARGE = gettext_noop("The file is larger than {limit} MB.")
TOO_MANY_PARTS = gettext_noop(
    "The workbook consists of {count} parts (at most {limit}); this is not an ordinary Excel file."
)
UNPACKS_TOO_LARGE = gettext_noop(
    "The workbook unpacks to more than {limit} MB. Delete unused sheets, rows, images or "
    "formatting, or split it into several files."
)
COMPRESSED_TOO_WELL = gettext_noop(
    "The workbook part {part} is compressed {ratio} times (at most {limit}); this is not "
    "an ordinary Excel file."
)
TOO_MUCH_TEXT = gettext_noop(
    "The workbook's text table is larger than {limit} MB. Split it into several files."
)
DTD = gettext_noop(
    "The workbook part {part} contains an XML document type declaration, which Excel never "
    "writes; it is refused for security."
)
BAD_XML = gettext_noop("The workbook part {part} is not well-formed XML.")
TOO_DEEP = gettext_noop(
    "The workbook part {part} is nested more than {limit} levels deep; this is not an "
    "ordinary Excel file."
)
CELL_TOO_LONG = gettext_noop(
    "The workbook part {part} holds a text longer than {limit} characters, more than an "
    "Excel cell can hold."
)
TOO_MANY_ROWS = gettext_noop(
    "The sheet “{sheet}” has more than {limit} rows (empty rows that carry formatting "
    "count too). Delete the unused rows or split the file."
)
TOO_MANY_COLUMNS = gettext_noop(
    "The sheet “{sheet}” has values in more than {limit} columns. Delete the unused columns."
)
TOO_MANY_CELLS = gettext_noop(
    "The sheet “{sheet}” has more than {limit} cells (empty cells that carry formatting "
    "count too). Delete the unused rows and columns."
)


class WorkbookRefused(ValueError):
    """The workbook is refused as a whole; ``message`` says why, translatable."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(message.render())


@dataclass(frozen=True)
class WorkbookLimits:
    """What one upload may cost. The defaults suit an XLSForm (see ``XLSFORM_LIMITS``)."""

    max_file_bytes: int = 5 * MIB
    max_parts: int = 1000  # real workbooks have 10 to 60 parts
    max_unpacked_bytes: int = 64 * MIB  # sum of the parts' declared sizes
    max_ratio: int = 100  # real XML parts compress 5 to 35 times
    ratio_floor_bytes: int = 256 * 1024  # smaller parts may compress as they like
    max_shared_strings_bytes: int = 16 * MIB
    max_rows: int = 10_000  # per sheet, <row> elements (row numbers may have gaps)
    max_columns: int = 200  # per sheet, highest column of a cell with a value
    max_cells: int = 1_000_000  # per sheet, cells openpyxl yields (rows padded to last <c>)
    max_depth: int = 64  # XML nesting; a worksheet needs about 6
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    timeout_seconds: float = 20.0  # for the bounded parse (sandbox.py)
    memory_bytes: int = 512 * MIB  # address space the parsing child may add
    max_result_bytes: int = 16 * MIB  # pickled result the parsing child may return


#: A public XLSForm has at most about 600 survey rows; choice lists may be longer.
XLSFORM_LIMITS = WorkbookLimits()

EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
_CHUNK = 64 * 1024
_EOCD = b"PK\x05\x06"
_OLE2 = b"\xd0\xcf\x11\xe0"
_XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_CELL_VALUES = frozenset({"v", "is", "f"})
_REL_WORKSHEET = "/worksheet"
_REL_STRINGS = "/sharedStrings"


def check_container(data: bytes, limits: WorkbookLimits) -> None:
    """Refuse a file whose ZIP directory already shows it is not an ordinary workbook."""
    if len(data) > limits.max_file_bytes:
        raise WorkbookRefused(Message(TOO_LARGE, {"limit": _mb(limits.max_file_bytes)}))
    if data.startswith(_OLE2):
        raise WorkbookRefused(Message(OLD_XLS))
    # The end record states the number of parts; read it before zipfile builds an object
    # for each of them (a small file can list a hundred thousand empty parts).
    end = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if not data.startswith(b"PK") or end < 0 or end + 22 > len(data):
        raise WorkbookRefused(Message(NOT_XLSX))
    (count,) = struct.unpack_from("<H", data, end + 10)
    if count > limits.max_parts:  # 0xFFFF (ZIP64) is above any sensible limit as well
        raise WorkbookRefused(Message(TOO_MANY_PARTS, {"count": count, "limit": limits.max_parts}))
    infos = _infolist(data)
    if len(infos) > limits.max_parts:
        params = {"count": len(infos), "limit": limits.max_parts}
        raise WorkbookRefused(Message(TOO_MANY_PARTS, params))
    if sum(info.compress_size for info in infos) > limits.max_file_bytes:
        raise WorkbookRefused(Message(NOT_XLSX))  # parts claim more bytes than the file has
    if sum(info.file_size for info in infos) > limits.max_unpacked_bytes:
        limit = _mb(limits.max_unpacked_bytes)
        raise WorkbookRefused(Message(UNPACKS_TOO_LARGE, {"limit": limit}))
    for info in infos:
        _check_part(info, limits)


def _infolist(data: bytes) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, OSError):
        raise WorkbookRefused(Message(NOT_XLSX)) from None


def _check_part(info: zipfile.ZipInfo, limits: WorkbookLimits) -> None:
    size = info.file_size
    if size > limits.ratio_floor_bytes and size > limits.max_ratio * max(info.compress_size, 1):
        ratio = size // max(info.compress_size, 1)
        params = {"part": info.filename, "ratio": ratio, "limit": limits.max_ratio}
        raise WorkbookRefused(Message(COMPRESSED_TOO_WELL, params))
    is_strings = posixpath.basename(info.filename).lower() == "sharedstrings.xml"
    if is_strings and size > limits.max_shared_strings_bytes:
        limit = _mb(limits.max_shared_strings_bytes)
        raise WorkbookRefused(Message(TOO_MUCH_TEXT, {"limit": limit}))


def _mb(size: int) -> int:
    return max(1, size // MIB)


# --- step 2: stream the XML parts ----------------------------------------------------


def scan_parts(data: bytes, limits: WorkbookLimits, *, first_sheet_only: bool = False) -> None:
    """Stream every XML part and refuse DTDs, deep nesting, long texts and huge sheets.

    Rows and columns are counted in every worksheet, or only in the first one when the
    caller reads nothing else (a roster: a long reference list on a second sheet is fine).
    Call ``check_container`` first: this assumes the directory is sane.
    """
    with zipfile.ZipFile(BytesIO(data)) as archive:
        budget = _Budget(limits.max_unpacked_bytes)
        done: set[str] = set()
        sheets, strings = _structure(archive, limits, budget, done)
        counted = dict(sheets[:1] if first_sheet_only else sheets)
        for info in archive.infolist():
            name = info.filename
            if name in done:
                continue
            done.add(name)
            if name == strings and info.file_size > limits.max_shared_strings_bytes:
                params = {"limit": _mb(limits.max_shared_strings_bytes)}
                raise WorkbookRefused(Message(TOO_MUCH_TEXT, params))
            counter = _SheetCounter(counted[name], limits) if name in counted else None
            _scan(archive, info, limits, budget, counter)


class _Budget:
    """Inflated bytes left for the whole archive; a part lying about its size hits it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise WorkbookRefused(Message(UNPACKS_TOO_LARGE, {"limit": _mb(self.limit)}))


class _SheetCounter:
    """Rows, columns and cells of one worksheet as openpyxl would read them.

    openpyxl yields every row number up to the highest one (gaps as cheap empty rows),
    each padded with empty cells up to its last ``<c>``, even one that only carries
    formatting. Real files have formatted rows up to Excel's last one (1,048,576) and
    formatted cells far out (column AMJ) — both in a public XLSForm sample — so the row
    limit counts ``<row>`` elements, the column limit applies to cells holding a value,
    and the padded cells count against ``max_cells``.
    """

    def __init__(self, title: str, limits: WorkbookLimits) -> None:
        self.title = title
        self.limits = limits
        self.rows = 0
        self.row = 0
        self.column = 0
        self.width = 0  # the current row's last cell
        self.cells = 0  # padded cells of the finished rows

    def start(self, local: str, attrs: dict[str, str]) -> None:
        if local == "row":
            self.rows += 1
            self.row = _int(attrs.get("r"), self.row + 1)
            self.cells += self.width
            self.column = self.width = 0
            if self.rows > self.limits.max_rows:
                self._refuse(TOO_MANY_ROWS, self.limits.max_rows)
            if self.row > EXCEL_ROWS:  # openpyxl would yield every row number up to it
                raise WorkbookRefused(Message(NOT_XLSX))
        elif local == "c":
            ref = attrs.get("r")
            self.column = _column(ref) if ref else self.column + 1
            self.width = max(self.width, self.column)
            if self.column > EXCEL_COLUMNS:
                raise WorkbookRefused(Message(NOT_XLSX))
            if self.cells + self.width > self.limits.max_cells:
                self._refuse(TOO_MANY_CELLS, self.limits.max_cells)
        elif local in _CELL_VALUES and self.column > self.limits.max_columns:
            self._refuse(TOO_MANY_COLUMNS, self.limits.max_columns)

    def _refuse(self, msgid: str, limit: int) -> None:
        raise WorkbookRefused(Message(msgid, {"sheet": self.title, "limit": limit}))


def _int(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() and len(text) < 10 else default


def _column(ref: str) -> int:
    """The column number of a cell reference ("AB12" → 28); letters only are counted."""
    number = 0
    for char in ref.upper():
        if not "A" <= char <= "Z":
            break
        number = number * 26 + ord(char) - 64
        if number > EXCEL_COLUMNS:  # refused by the caller; stop before the number grows
            break
    return number


def _scan(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    limits: WorkbookLimits,
    budget: _Budget,
    sheet: _SheetCounter | None,
    on_start: Callable[[str, dict[str, str]], None] | None = None,
) -> None:
    """Stream one part through expat; skip it when it is not XML (images, binaries)."""
    part = info.filename
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True  # one call per text run, not per line or entity
    depth = 0
    text = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, text
        depth += 1
        text = 0
        if depth > limits.max_depth:
            raise WorkbookRefused(Message(TOO_DEEP, {"part": part, "limit": limits.max_depth}))
        local = name.rpartition("}")[2]
        if sheet is not None:
            sheet.start(local, attrs)
        if on_start is not None:
            on_start(local, attrs)

    def end(name: str) -> None:
        nonlocal depth, text
        depth -= 1
        text = 0

    def characters(data: str) -> None:
        nonlocal text
        text += len(data)
        if text > limits.max_cell_chars:
            params = {"part": part, "limit": limits.max_cell_chars}
            raise WorkbookRefused(Message(CELL_TOO_LONG, params))

    def doctype(*_: object) -> None:
        raise WorkbookRefused(Message(DTD, {"part": part}))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    # A DTD is refused as soon as it starts, before expat could expand any entity in it.
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        for index, chunk in enumerate(_chunks(archive, info, budget)):
            if index == 0 and not chunk.lstrip().startswith(_XML_STARTS):
                return  # not XML: openpyxl parses no such part
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise WorkbookRefused(Message(BAD_XML, {"part": part})) from None


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> Iterator[bytes]:
    """The part's inflated bytes a chunk at a time, charged to the budget as they come."""
    try:
        with archive.open(info) as stream:
            yield from _read(stream, budget)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError):
        raise WorkbookRefused(Message(NOT_XLSX)) from None


def _read(stream: IO[bytes], budget: _Budget) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        budget.take(len(chunk))
        yield chunk


def _structure(
    archive: zipfile.ZipFile, limits: WorkbookLimits, budget: _Budget, done: set[str]
) -> tuple[list[tuple[str, str]], str | None]:
    """The worksheets (part name, title) in workbook order and the shared-strings part,
    found as openpyxl finds them: through the workbook's relationships. The parts read
    here (relationships, workbook) are scanned like any other and added to ``done``."""
    names = set(archive.namelist())
    top = _relations(archive, limits, budget, "_rels/.rels", "", done)
    workbook = next((t for k, t in top.values() if k.endswith("/officeDocument")), None)
    workbook = workbook or "xl/workbook.xml"
    folder, base = posixpath.split(workbook)
    rels_path = posixpath.join(folder, "_rels", base + ".rels")
    relations = _relations(archive, limits, budget, rels_path, folder, done)
    order: list[tuple[str, str]] = []

    def sheet(local: str, attrs: dict[str, str]) -> None:
        if local == "sheet":
            rid = next((v for k, v in attrs.items() if k.rpartition("}")[2] == "id"), "")
            order.append((rid, attrs.get("name", "")))

    if workbook in names:
        done.add(workbook)
        _scan(archive, archive.getinfo(workbook), limits, budget, None, sheet)
    sheets: list[tuple[str, str]] = []
    for rid, title in order:
        kind, target = relations.get(rid, ("", ""))
        if kind.endswith(_REL_WORKSHEET) and target in names:
            sheets.append((target, title))
    strings = next((t for k, t in relations.values() if k.endswith(_REL_STRINGS)), None)
    return sheets, strings


def _relations(
    archive: zipfile.ZipFile,
    limits: WorkbookLimits,
    budget: _Budget,
    path: str,
    folder: str,
    done: set[str],
) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, part name) of one .rels part; empty when it is missing."""
    found: dict[str, tuple[str, str]] = {}
    if path not in archive.namelist():
        return found

    def relation(local: str, attrs: dict[str, str]) -> None:
        if local == "Relationship":
            target = attrs.get("Target", "")
            # Targets are relative to the source part's folder, or absolute from the root.
            joined = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(joined))

    done.add(path)
    _scan(archive, archive.getinfo(path), limits, budget, None, relation)
    return found
