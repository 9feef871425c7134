"""Reading a station's roster (CSV or XLSX) into people to invite. No database access.

Rules a station officer can rely on (shown on the import page too):

- The first row names the columns: name, email, phone, title, age_group — or in Chinese
  姓名, 邮箱/电子邮箱, 手机/电话, 职称, 年龄组. Other columns are ignored.
- A row needs at least a name or an e-mail. A person with a name but no e-mail gets a
  printed answer code; a phone number alone is not enough (the station could not tell
  who the code is for, and text messages are sent by the station itself).
- Title and age group are the levels used for weighting (正高/副高/中级/初级/无,
  35岁以下/35-44岁/45-54岁/55岁及以上, or their codes) or left empty.
- A wholly blank row between people is reported (it usually means a paste went wrong);
  blank rows after the last person are ignored (spreadsheets keep formatted empty rows).
- People listed twice (same e-mail or same phone) are merged into one; the first row wins
  and later rows only fill its empty fields.
- Every bad row is reported with its row number as a spreadsheet shows it (header = 1);
  the caller imports nothing unless there are no errors at all.

An uploaded file is untrusted. CSV is read here, capped in bytes, rows and columns. An
XLSX first passes the ZIP checks (``instruments/xlsform/guard.py``) and is then read in a
child process with hard memory and time limits (``sandbox.py``), which hands back only the
text of the name/e-mail/phone/title/age columns; limits: ``ROSTER_LIMITS``, overridable
with the ``ROSTER_UPLOAD_LIMITS`` setting (``survey_platform/core/uploads.py``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from instruments.text import text_problem
from instruments.xlsform.guard import MIB, WorkbookLimits, WorkbookRefused
from instruments.xlsform.sandbox import sheet_rows_bounded
from survey_platform.core.uploads import limits_from_settings, refusal_text
from survey_platform.network.models import AGE_GROUP_LEVELS, TITLE_LEVELS

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000  # people; the file may have more rows (blank ones, duplicates)
#: A roster of a few thousand people, with room for blank and duplicate rows; the ZIP and
#: sheet limits are explained in ``WorkbookLimits``.
ROSTER_LIMITS = WorkbookLimits(
    max_file_bytes=MAX_BYTES,
    max_unpacked_bytes=32 * MIB,
    max_shared_strings_bytes=8 * MIB,
    max_rows=50_000,
    max_columns=50,
)
#: Longer than any valid value (MAX_LENGTHS), so a longer cell is still reported as too
#: long, but a huge cell does not travel back from the parsing process whole.
MAX_CELL_CHARS = 1000
COLUMNS = ("name", "email", "phone", "title", "age_group")
MAX_LENGTHS = {"name": 100, "email": 254, "phone": 30}

#: Header spellings accepted for each column (compared after casefold and trimming).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "姓名", "名字"),
    "email": ("email", "e-mail", "mail", "邮箱", "电子邮箱", "电子邮件", "邮件"),
    "phone": ("phone", "mobile", "telephone", "手机", "电话", "手机号", "手机号码", "联系电话"),
    "title": ("title", "professional title", "职称"),
    "age_group": ("age_group", "age group", "年龄组", "年龄段"),
}
_HEADER_LOOKUP = {
    alias.casefold(): col for col, aliases in HEADER_ALIASES.items() for alias in aliases
}
_HEADER_KEYS = frozenset(_HEADER_LOOKUP)

_TITLE_ALIASES = {
    "正高": "senior", "正高级": "senior", "正高职称": "senior", "正高级职称": "senior",
    "副高": "associate", "副高级": "associate", "副高职称": "associate", "副高级职称": "associate",
    "中级": "intermediate", "中级职称": "intermediate",
    "初级": "junior", "初级职称": "junior",
    "无": "none", "无职称": "none",
    "full senior": "senior", "associate senior": "associate",
}  # fmt: skip
_AGE_ALIASES = {
    "35以下": "lt35", "35岁以下": "lt35", "under35": "lt35", "<35": "lt35",
    "35-44": "35-44", "45-54": "45-54",
    "55及以上": "55plus", "55以上": "55plus", "55+": "55plus", "55andover": "55plus",
}  # fmt: skip
_DASHES = re.compile(r"[–—~～至到]")
_PHONE_ALLOWED = re.compile(r"^\+?[0-9]{5,20}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


class RosterFileError(ValueError):
    """The file as a whole cannot be read (size, format, header). Message is translated."""


@dataclass(frozen=True)
class Person:
    row: int
    name: str = ""
    email: str = ""
    phone: str = ""
    title: str = ""
    age_group: str = ""

    @property
    def email_key(self) -> str:
        return self.email.casefold()


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


@dataclass
class Roster:
    people: list[Person] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    merged: int = 0  # rows folded into an earlier row of the same file


def normalise_phone(raw: str) -> str:
    return _PHONE_SEPARATORS.sub("", raw)


def roster_limits() -> WorkbookLimits:
    return limits_from_settings(ROSTER_LIMITS, "ROSTER_UPLOAD_LIMITS")


def parse_roster(data: bytes, filename: str = "") -> Roster:
    """Parse and check a whole roster. Raises RosterFileError when the file is unusable."""
    if len(data) > MAX_BYTES:
        raise RosterFileError(_("The file is larger than 2 MB. Split the roster into parts."))
    if not data.strip():
        raise RosterFileError(_("The file is empty."))
    limits = roster_limits()
    if _looks_like_xlsx(data, filename):
        rows = _xlsx_rows(data, limits)
    else:
        rows = _csv_rows(data, limits)
    first = next(rows, None)
    if first is None:
        raise RosterFileError(_("The file is empty."))
    columns = _columns(first[1])
    return _read_people(rows, columns, limits)


def _looks_like_xlsx(data: bytes, filename: str) -> bool:
    # XLSX is a zip archive; trust the content, not only the name.
    return data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx")


def _csv_rows(data: bytes, limits: WorkbookLimits) -> Iterator[tuple[int, list[str]]]:
    """Numbered rows (the header is 1); a file over the row or column limit is refused."""
    # Excel on Chinese Windows saves "CSV" as GBK; GB18030 is its superset.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly any byte string
        raise RosterFileError(_("The file is neither UTF-8 nor GBK text."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), 1):
            if number > limits.max_rows:
                raise RosterFileError(_too_many_rows(limits))
            if len(cells) > limits.max_columns:
                raise RosterFileError(
                    _("Row %(row)d has more than %(max)d columns.")
                    % {"row": number, "max": limits.max_columns}
                )
            yield number, cells
    except csv.Error as exc:
        if "field limit" in str(exc):  # csv's own text is English; this one is translated
            raise RosterFileError(
                _("A field of the CSV file is longer than %(max)d characters.")
                % {"max": csv.field_size_limit()}
            ) from exc
        raise RosterFileError(
            _("The CSV file could not be read: %(error)s") % {"error": exc}
        ) from exc


def _xlsx_rows(data: bytes, limits: WorkbookLimits) -> Iterator[tuple[int, list[str]]]:
    """The header and the non-blank rows of the first sheet, numbered as Excel shows them.

    Read in a bounded child process (``sandbox.py``); only the recognised columns come
    back, so a wide or hostile file costs this process next to nothing.
    """
    try:
        rows = sheet_rows_bounded(data, limits, keep=_HEADER_KEYS, max_chars=MAX_CELL_CHARS)
    except WorkbookRefused as refusal:
        raise RosterFileError(refusal_text(refusal)) from refusal
    yield from rows


def _too_many_rows(limits: WorkbookLimits) -> str:
    return _("The file has more than %(max)d rows. Split the roster into parts.") % {
        "max": limits.max_rows
    }


def _columns(header: list[str]) -> dict[int, str]:
    columns: dict[int, str] = {}
    for index, raw in enumerate(header):
        column = _HEADER_LOOKUP.get(raw.strip().casefold())
        if column is None:
            continue
        if column in columns.values():
            raise RosterFileError(
                _("The column “%(column)s” appears twice in the first row.") % {"column": raw}
            )
        columns[index] = column
    if "name" not in columns.values() and "email" not in columns.values():
        raise RosterFileError(
            _(
                "The first row must name the columns: name, email, phone, title, "
                "age_group (or 姓名, 邮箱, 手机, 职称, 年龄组). At least a name or an "
                "e-mail column is needed."
            )
        )
    return columns


def _read_people(
    rows: Iterator[tuple[int, list[str]]], columns: dict[int, str], limits: WorkbookLimits
) -> Roster:
    roster = Roster()
    blank_rows: list[int] = []
    by_email: dict[str, int] = {}
    by_phone: dict[str, int] = {}
    count = 0
    last = 1
    for number, cells in rows:
        if number > limits.max_rows:
            raise RosterFileError(_too_many_rows(limits))
        # An XLSX comes back without its blank rows: the gaps in the numbering are blank.
        blank_rows.extend(range(last + 1, number))
        last = number
        values = {col: cells[i].strip() if i < len(cells) else "" for i, col in columns.items()}
        if not any(values.values()):
            blank_rows.append(number)
            continue
        count += 1
        if count > MAX_ROWS:
            raise RosterFileError(
                _("The roster has more than %(max)d people. Split it into parts.")
                % {"max": MAX_ROWS}
            )
        # A blank row followed by more people was a real gap, not trailing padding.
        roster.errors.extend(RowError(n, _("The row is empty.")) for n in blank_rows)
        blank_rows = []
        person, problems = _check_row(number, values)
        if problems:
            roster.errors.extend(RowError(number, message) for message in problems)
            continue
        _add_person(roster, person, by_email, by_phone)
    if count == 0 and not roster.errors:
        raise RosterFileError(_("The roster lists nobody."))
    roster.errors.sort(key=lambda e: e.row)
    return roster


def _check_row(number: int, values: dict[str, str]) -> tuple[Person, list[str]]:
    problems: list[str] = []
    name, email, phone = values.get("name", ""), values.get("email", ""), values.get("phone", "")
    if not name and not email:
        problems.append(_("A name or an e-mail address is needed."))
    for column, limit in MAX_LENGTHS.items():
        if len(values.get(column, "")) > limit:
            problems.append(_("The %(column)s is too long.") % {"column": _column_label(column)})
    if any(text_problem(value) for value in values.values()):
        # The same rule as every other input (instruments/text.py): such a name would
        # break every page and file that prints it.
        problems.append(_("The row contains characters that are not valid text."))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("“%(value)s” is not a valid e-mail address.") % {"value": email})
    phone = normalise_phone(phone)
    if phone and not _PHONE_ALLOWED.match(phone):
        problems.append(_("“%(value)s” is not a valid phone number.") % {"value": values["phone"]})
    title = _level(values.get("title", ""), TITLE_LEVELS, _TITLE_ALIASES)
    if title is None:
        problems.append(
            _("Unknown professional title “%(value)s” (use 正高, 副高, 中级, 初级 or 无).")
            % {"value": values["title"]}
        )
    age_group = _level(_age_key(values.get("age_group", "")), AGE_GROUP_LEVELS, _AGE_ALIASES)
    if age_group is None:
        problems.append(
            _("Unknown age group “%(value)s” (use 35岁以下, 35-44岁, 45-54岁 or 55岁及以上).")
            % {"value": values["age_group"]}
        )
    person = Person(number, name, email, phone, title or "", age_group or "")
    return person, problems


def _column_label(column: str) -> str:
    return {
        "name": _("name"),
        "email": _("e-mail"),
        "phone": _("phone"),
    }.get(column, column)


def _age_key(raw: str) -> str:
    text = _DASHES.sub("-", raw.strip().casefold())
    return text.replace("岁", "").replace(" ", "")


def _level(raw: str, levels: Mapping[str, object], aliases: dict[str, str]) -> str | None:
    """The level code for ``raw``; "" when empty; None when unknown."""
    text = raw.strip()
    if not text:
        return ""
    if text in levels:
        return text
    key = text.casefold()
    if key in levels:
        return key
    return aliases.get(key)


def _add_person(
    roster: Roster, person: Person, by_email: dict[str, int], by_phone: dict[str, int]
) -> None:
    index = None
    if person.email:
        index = by_email.get(person.email_key)
    if index is None and person.phone:
        index = by_phone.get(person.phone)
    if index is None:
        index = len(roster.people)
        roster.people.append(person)
    else:
        roster.merged += 1
        roster.people[index] = _fill_blanks(roster.people[index], person)
    merged = roster.people[index]
    if merged.email:
        by_email.setdefault(merged.email_key, index)
    if merged.phone:
        by_phone.setdefault(merged.phone, index)


def _fill_blanks(first: Person, later: Person) -> Person:
    changes = {
        f.name: getattr(later, f.name)
        for f in fields(Person)
        if f.name != "row" and not getattr(first, f.name)
    }
    return replace(first, **changes)
