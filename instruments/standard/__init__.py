"""The standard instruments, authored as XLSForm workbooks in this folder.

``standard_questionnaire.xlsx`` is 「科技工作者状况调查问卷（标准版）」 (sections A–K of the
design, item codes stable across waves); ``quick_survey.xlsx`` is the short template that
reuses the standard codes, so quick-survey answers line up with the large waves. The
workbooks are the source of truth: edit them in a spreadsheet program and run the tests.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from instruments.schema import Instrument
from instruments.xlsform import read_xlsform

FOLDER = Path(__file__).resolve().parent
STANDARD_FILE = FOLDER / "standard_questionnaire.xlsx"
QUICK_FILE = FOLDER / "quick_survey.xlsx"


class StandardInstrumentError(RuntimeError):
    """A shipped workbook does not validate; only an edit to this folder can cause it."""


def _load(path: Path) -> Instrument:
    instrument, issues = read_xlsform(path)
    if instrument is None:
        details = "; ".join(issue.render() for issue in issues[:10])
        raise StandardInstrumentError(f"{path.name} is invalid: {details}")
    return instrument


@cache
def load_standard() -> Instrument:
    """The standard questionnaire (cached; Instrument is immutable)."""
    return _load(STANDARD_FILE)


@cache
def load_quick() -> Instrument:
    """The quick-survey template."""
    return _load(QUICK_FILE)
