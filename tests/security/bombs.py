"""Hostile upload files, generated on the fly (no large binaries in the repository).

Each builder returns ``(file name, bytes)``. Workbooks start from a real two-row roster
saved by openpyxl and replace or add one part, so everything but the attack is ordinary.
Used by tests/security/test_upload_bombs.py and bench/upload_bombs.py.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Iterable

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_MIB = 1024 * 1024


def base_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    sheet.append(["姓名", "邮箱"])
    sheet.append(["张三", "zhangsan@example.cn"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rebuild(
    replace: dict[str, Callable[[], Iterable[bytes]]], extra: int = 0, level: int = 9
) -> bytes:
    """The base workbook with some parts streamed in from generators (never whole in memory)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base_workbook())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target,
    ):
        for info in source.infolist():
            if info.filename in replace:
                continue
            target.writestr(info.filename, source.read(info.filename))
        for name, chunks in replace.items():
            with target.open(name, "w", force_zip64=False) as stream:
                for chunk in chunks():
                    stream.write(chunk)
        for index in range(extra):
            target.writestr(f"x/{index}", b"")
    return out.getvalue()


def _sheet(rows: Iterable[bytes], head: bytes = b"") -> Iterable[bytes]:
    yield b'<?xml version="1.0" encoding="UTF-8"?>' + head
    yield f"<worksheet {_NS}><sheetData>".encode()
    yield from rows
    yield b"</sheetData></worksheet>"


def shared_strings_bomb() -> tuple[str, bytes]:
    """A 1.9 MB file whose text table inflates to 320 MB (level 1 deflates it fastest)."""

    def strings() -> Iterable[bytes]:
        yield f'<?xml version="1.0"?><sst {_NS}>'.encode()
        block = (b"<si><t>" + b"x" * 1000 + b"</t></si>") * 1000
        for _ in range(320):
            yield block
        yield b"</sst>"

    return "bomb.xlsx", _rebuild({STRINGS: strings}, level=1)


def blank_rows(count: int = 3_000_000) -> tuple[str, bytes]:
    """Three million empty rows in a 30 KB file: openpyxl used to walk every one."""
    chunks = (b"<row/>" * 100_000 for _ in range(count // 100_000))
    return "blank.xlsx", _rebuild({SHEET: lambda: _sheet(chunks)})


def numbered_rows(count: int = 60_000) -> tuple[str, bytes]:
    """Empty rows numbered 1, 2, 3…: compressed normally, so only counting them finds them."""
    rows = (b'<row r="%d" spans="1:2"/>' % n for n in range(1, count + 1))
    return "rows.xlsx", _rebuild({SHEET: lambda: _sheet(rows)})


def _cell_sheet(text: bytes, head: bytes = b"") -> Callable[[], Iterable[bytes]]:
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>%s</t></is></c></row>' % text
    return lambda: _sheet([row], head)


def xxe() -> tuple[str, bytes]:
    """An external entity pointing at /etc/passwd, used in a cell."""
    head = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return "xxe.xlsx", _rebuild({SHEET: _cell_sheet(b"&xxe;", head)})


def billion_laughs() -> tuple[str, bytes]:
    """Ten levels of ten entity references: 10^9 'lol's if expanded."""
    entities = [b'<!ENTITY lol0 "lol">']
    entities += [
        b'<!ENTITY lol%d "%s">' % (level, b"".join(b"&lol%d;" % (level - 1) for _ in range(10)))
        for level in range(1, 10)
    ]
    head = b"<!DOCTYPE worksheet [" + b"".join(entities) + b"]>"
    return "laughs.xlsx", _rebuild({SHEET: _cell_sheet(b"&lol9;", head)})


def many_entries(count: int = 100_000) -> tuple[str, bytes]:
    """A hundred thousand empty parts."""
    return "entries.xlsx", _rebuild({}, extra=count)


def huge_cell() -> tuple[str, bytes]:
    """One cell of 100 MB."""

    def rows() -> Iterable[bytes]:
        yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
        for _ in range(100):
            yield b"A" * _MIB
        yield b"</t></is></c></row>"

    return "cell.xlsx", _rebuild({SHEET: lambda: _sheet(rows())})


def deep_nesting(levels: int = 20_000) -> tuple[str, bytes]:
    """A cell nesting twenty thousand elements (140 KB, too small for the ratio check)."""
    text = b"<r>" * levels + b"x" + b"</r>" * levels
    return "deep.xlsx", _rebuild({SHEET: _cell_sheet(text)})


def long_cell(chars: int = 40_000) -> tuple[str, bytes]:
    """One cell longer than Excel allows (32,767), but small: only the scan sees it."""
    return "long.xlsx", _rebuild({SHEET: _cell_sheet(os.urandom(chars // 2).hex().encode())})


def not_a_zip() -> tuple[str, bytes]:
    return "renamed.xlsx", os.urandom(64 * 1024)


def wide_csv(columns: int = 1_000_000) -> tuple[str, bytes]:
    return "wide.csv", b"name," + b"a," * (columns - 1) + b"\r\nx\r\n"


def long_line_csv(size: int = 1_900_000) -> tuple[str, bytes]:
    """A single field of almost 2 MB (the roster's size limit), past csv's field limit."""
    return "line.csv", b"name,email\r\n" + b"x" * size + b",a@example.cn\r\n"


WORKBOOKS: dict[str, Callable[[], tuple[str, bytes]]] = {
    "shared_strings": shared_strings_bomb,
    "blank_rows": blank_rows,
    "numbered_rows": numbered_rows,
    "xxe": xxe,
    "billion_laughs": billion_laughs,
    "entries": many_entries,
    "huge_cell": huge_cell,
    "deep_nesting": deep_nesting,
    "long_cell": long_cell,
    "not_zip": not_a_zip,
}
CSVS: dict[str, Callable[[], tuple[str, bytes]]] = {
    "wide_csv": wide_csv,
    "long_line_csv": long_line_csv,
}


def lying_sizes() -> tuple[str, bytes]:
    """A sheet that declares 100 bytes but inflates to 1 MB (sizes in the directory lie)."""
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n) for n in range(1, 25_000)
    )
    data = bytearray(_rebuild({SHEET: lambda: _sheet([rows])}))
    name = SHEET.encode()
    # The size fields: 22 bytes into a local header, 24 into a central directory entry.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (30 if offset == 22 else 46)
            if data[name_at : name_at + len(name)] == name:
                data[start + offset : start + offset + 4] = (100).to_bytes(4, "little")
            start += 4
    return "lying.xlsx", bytes(data)


WORKBOOKS["lying_sizes"] = lying_sizes


class PeakMemory:
    """Growth of this process's peak resident memory while the block runs (Linux).

    The kernel's high-water mark is reset first (``/proc/self/clear_refs``), so earlier
    work does not hide a new peak.
    """

    def __enter__(self) -> PeakMemory:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        self.before = _status("VmRSS")
        return self

    def __exit__(self, *exc: object) -> None:
        self.growth_mib = max(0, _status("VmHWM") - self.before) / 1024


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])  # kB
    raise LookupError(field)
