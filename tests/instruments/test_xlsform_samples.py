"""Interoperability: the public XLSForm workbooks in ``tests/fixtures/xlsform/``.

The files are copied unchanged from their public repositories (sources, commits and licences
in that folder's README, checksums in its SHA256SUMS). Each one either imports, or is
refused with every problem located at a sheet and row and every refusal naming the
unsupported feature. A new file in the folder must be added to ``EXPECTED`` here.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from instruments.schema import IMPLICIT_OTHER, allowed_choices
from instruments.xlsform import read_xlsform, write_xlsform

REPO_ROOT = Path(__file__).resolve().parents[2]
FOLDER = REPO_ROOT / "tests" / "fixtures" / "xlsform"

#: file → (row, feature) refusals that must be among the issues, and other (row, kind) issues.
EXPECTED: dict[str, tuple[set[tuple[int, str]], set[tuple[int, str]]]] = {
    # Authoring bug, not a feature: in XPath a bare `yes` is a column, and there is none.
    "02_pyxform_or_other.xlsx": (set(), {(3, "unknown_column")}),
    "04_odkdocs_recensement_etablissements_scolaires_24.xlsx": (
        {(3, "image"), (4, "geopoint")},
        {(7, "unknown_option")},  # relevant tests 'lycee' but the option is 'lycée'
    ),
    "05_webforms_all_question_types.xlsx": (
        {
            (7, "default"),
            (8, "ex:change.uw.android.BREATHCOUNT"),
            (22, "range"),
            (30, "image"),
            (40, "barcode"),
            (54, "time"),
            (55, "dateTime"),
            (66, "geopoint"),
            (69, "geotrace"),
            (83, "select_one_from_file cities.geojson"),
            (107, "trigger"),
        },
        set(),
    ),
    "06_webforms_socio_economic_survey.xlsx": (
        {(12, "read_only"), (12, "calculation"), (22, "begin repeat")},
        {(29, "translation")},  # hints and constraint messages exist only in English
    ),
    "07_pyxform_xlsform_spec_test.xlsx": (
        {
            (7, "regex()"),
            (15, "begin repeat"),
            (17, "requiredMsg"),
            (30, "acknowledge"),
            (40, "calculate"),
            (42, "start"),
            (48, "deviceid"),
            (2, "public_key"),
        },
        {(2, "translation")},
    ),
    "08_pyxform_UCL_Biomass_Plot_Form.xlsx": (
        {
            (10, "regex()"),
            (11, "start"),
            (17, "select_one_from_file UCL_districts.csv"),
            (26, "calculate"),
            (32, "begin repeat"),
            (49, "${health_id}=‘dead’"),
            (91, "deviceid"),
        },
        {(9, "syntax")},  # curly quotes ‘other’ in an expression
    ),
    "09_webforms_who_verbal_autopsy_2016.xlsx": (
        {(16, "today"), (18, "start"), (27, "today()"), (31, "calculate"), (141, "read_only")},
        {(3, "translation"), (30, "unknown_option"), (61, "invalid")},
    ),
}


@pytest.fixture(scope="module")
def folder() -> Path:
    return FOLDER


def test_the_copies_are_unchanged(folder: Path) -> None:
    sums = {}
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split()
        sums[name] = digest
    assert sorted(sums) == sorted(EXPECTED)
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


def test_every_reference_file_has_an_expectation(folder: Path) -> None:
    assert sorted(p.name for p in folder.glob("*.xlsx")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reference_form_imports_or_is_refused_with_located_reasons(folder: Path, name: str) -> None:
    refusals_expected, others_expected = EXPECTED[name]
    instrument, issues = read_xlsform(folder / name)
    if not refusals_expected and not others_expected:
        assert issues == [] and instrument is not None
        return
    assert instrument is None
    for issue in issues:
        assert issue.sheet and issue.row, str(issue)
        assert issue.column, str(issue)
    refusals = {(i.row, i.message.params["feature"]) for i in issues if i.kind == "unsupported"}
    for issue in issues:
        if issue.kind == "unsupported":
            feature = issue.message.params["feature"]
            rendered = str(issue)
            assert f"row {issue.row}" in rendered and feature in rendered
    assert refusals_expected <= refusals
    others = {(i.row, i.kind) for i in issues if i.kind != "unsupported"}
    assert others_expected <= others
    if not refusals_expected:
        assert not refusals


def test_or_other_form_imports_once_its_filter_quotes_the_text(folder: Path) -> None:
    book = load_workbook(folder / "02_pyxform_or_other.xlsx")
    assert book["survey"]["D3"].value == "pastel=yes"
    book["survey"]["D3"].value = "pastel='yes'"
    buffer = io.BytesIO()
    book.save(buffer)
    instrument, issues = read_xlsform(buffer.getvalue(), form_id="or_other", default_language="en")
    assert issues == [] and instrument is not None
    color = instrument.item("fav_color")
    assert color is not None and color.other_choice == IMPLICIT_OTHER
    assert instrument.answer_codes() == ("fav_color", "fav_color_other", "fav_pastel")
    colors = instrument.choice_list("colors")
    assert colors is not None
    pastel = allowed_choices(colors, "pastel='yes'", {})
    assert [c.code for c in pastel] == ["mauve", "apricot"]
    back, issues = read_xlsform(write_xlsform(instrument))
    assert issues == [] and back is not None and back.to_dict() == instrument.to_dict()
