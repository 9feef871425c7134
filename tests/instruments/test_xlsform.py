"""XLSForm reader and writer on small workbooks built here with openpyxl."""

from __future__ import annotations

import io
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from instruments.schema import IMPLICIT_OTHER, ItemType, load_definition
from instruments.xlsform import read_xlsform, write_xlsform
from tests.instruments.test_schema import sample, sample_definition

ZH, EN = "label::Chinese (zh)", "label::English (en)"


def workbook(
    survey: list[list[Any]],
    choices: list[list[Any]] | None = None,
    settings_rows: list[list[Any]] | None = None,
    extra_sheets: tuple[str, ...] = (),
) -> bytes:
    """An .xlsx with the given rows (first row = header) on each sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for title, rows in (("choices", choices), ("settings", settings_rows)):
        if rows is not None:
            target = book.create_sheet(title)
            for row in rows:
                target.append(row)
    for title in extra_sheets:
        book.create_sheet(title).append(["anything", "here"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


YES_NO = [["list_name", "name", ZH, EN], ["yn", "1", "是", "Yes"], ["yn", "2", "否", "No"]]
HEADER = ["type", "name", ZH, EN, "relevant", "constraint", "required"]


def read(survey: list[list[Any]], choices: list[list[Any]] | None = YES_NO, **kw: Any) -> Any:
    return read_xlsform(workbook(survey, choices, **kw))


def located(issues: list[Any]) -> list[tuple[Any, ...]]:
    return [(i.sheet, i.row, i.column, i.cell, i.kind) for i in issues]


# ------------------------------------------------------------------ round trip


def test_export_then_import_gives_an_identical_definition() -> None:
    instrument = sample()
    back, issues = read_xlsform(write_xlsform(instrument))
    assert issues == []
    assert back is not None and back.to_dict() == instrument.to_dict()
    assert back.checksum() == instrument.checksum()


def test_writer_saves_to_a_path(tmp_path: Any) -> None:
    path = tmp_path / "form.xlsx"
    write_xlsform(sample(), path)
    back, issues = read_xlsform(path)
    assert issues == [] and back is not None and back.id == "sample"


label_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\r\t=-'\"${}"),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(label=label_text, version=st.text(string.digits + ".", max_size=8), bound=st.integers(-5, 5))
def test_round_trip_survives_awkward_texts(label: str, version: str, bound: int) -> None:
    definition = sample_definition()
    definition["items"][0]["label"]["en"] = label
    definition["choice_lists"][0]["choices"][0]["label"]["zh-hans"] = label
    definition["version"] = version
    definition["items"][4]["min_value"] = bound / 2
    instrument, issues = load_definition(definition)
    assert instrument is not None, issues
    back, issues = read_xlsform(write_xlsform(instrument))
    assert issues == []
    assert back is not None and back.to_dict() == instrument.to_dict()


# ------------------------------------------------------------------ reading


def test_headers_are_trimmed_case_insensitive_and_languages_mapped() -> None:
    data = workbook(
        [[" TYPE", "Name ", "Label::Chinese (zh)", "label::English (en)", "Required"],
         ["select_one yn", "q1", "问题", "Question", True],
         ["integer", "q2", "数字", "Number", 1.0]],  # a numeric cell reads as "1"
        [["List Name", "name", "label::Chinese (zh)", "label::English (en)"],
         ["yn", 1.0, "是", "Yes"], ["yn", 2, "否", "No"]],
        [["form_title\t", "form_id", "version", "default_language"],
         ["标题", "demo", 20240508231115, "Chinese (zh)"]],
        extra_sheets=("👋 Start here", "notes"),
    )  # fmt: skip
    instrument, issues = read_xlsform(data)
    assert issues == [], [str(i) for i in issues]
    assert instrument is not None
    assert (instrument.id, instrument.version, instrument.languages) == (
        "demo",
        "20240508231115",
        ("zh-hans", "en"),
    )
    assert instrument.title == {"zh-hans": "标题", "en": "标题"}
    assert [i.required for i in instrument.items] == [True, True]
    assert instrument.item("q1").label == {"zh-hans": "问题", "en": "Question"}
    assert instrument.choice_list("yn").codes == ("1", "2")  # type: ignore[union-attr]


def test_plain_label_is_the_default_language_and_id_comes_from_file_name(tmp_path: Any) -> None:
    path = tmp_path / "my_form.xlsx"
    path.write_bytes(workbook([["type", "name", "label"], ["text", "t", "Name?"]]))
    instrument, issues = read_xlsform(path, default_language="en")
    assert issues == [] and instrument is not None
    assert (instrument.id, instrument.languages, instrument.item("t").label) == (
        "my_form",
        ("en",),
        {"en": "Name?"},
    )


def test_types_appearances_and_extension_columns() -> None:
    survey = [
        ["type", "name", ZH, EN, "appearance", "parameters", "min_choices", "max_choices",
         "exclusive", "min_value", "max_value", "max_length", "unit::Chinese (zh)",
         "unit::English (en)"],
        ["begin_group", "p", "页", "Page", "field-list"],
        ["select_one yn or_other", "s", "单选", "Single"],
        ["select_multiple yn", "m", "多选", "Multi", "", "randomize=true", 1, 2, "2"],
        ["select_one yn", "l", "量表", "Scale", "likert"],
        ["rank yn", "r", "排序", "Rank", "", "", "", 1],
        ["end_group"],
        ["integer", "y", "年份", "Year", "year", "", "", "", "", 1940, 2010],
        ["decimal", "d", "小数", "Decimal", "", "", "", "", "", 0, 1.5, "", "小时", "hours"],
        ["text", "t", "文本", "Text", "multiline", "", "", "", "", "", "", 500],
        ["date", "dt", "日期", "Date"],
        ["note", "n", "说明", "Note"],
        ["select one from yn", "legacy", "旧写法", "Legacy"],
    ]  # fmt: skip
    instrument, issues = read(survey)
    assert issues == [], [str(i) for i in issues]
    assert instrument is not None
    types = {item.code: item.type for item in instrument.items}
    assert types == {"s": ItemType.SINGLE, "m": ItemType.MULTIPLE, "l": ItemType.LIKERT,
                     "r": ItemType.RANKING, "y": ItemType.YEAR, "d": ItemType.DECIMAL,
                     "t": ItemType.TEXT, "dt": ItemType.DATE, "n": ItemType.NOTE,
                     "legacy": ItemType.SINGLE}  # fmt: skip
    s, m, r, y, d, t = (instrument.item(c) for c in ("s", "m", "r", "y", "d", "t"))
    assert s is not None and s.other_choice == IMPLICIT_OTHER and s.other_code == "s_other"
    assert m is not None and (m.randomize, m.min_choices, m.max_choices, m.exclusive) == (
        True,
        1,
        2,
        ("2",),
    )
    assert r is not None and r.max_choices == 1
    assert y is not None and (y.min_value, y.max_value) == (1940, 2010)
    assert d is not None and d.max_value == 1.5 and d.unit == {"zh-hans": "小时", "en": "hours"}
    assert t is not None and t.long and t.max_length == 500
    assert instrument.group("p") is not None and instrument.group("p").page  # type: ignore[union-attr]


def test_table_list_group_of_plain_selects_becomes_a_matrix() -> None:
    survey = [
        ["type", "name", ZH, EN, "appearance", "required", "hint::Chinese (zh)",
         "hint::English (en)"],
        ["begin group", "H1", "学术不端", "Misconduct", "table-list"],
        ["select_one yn", "H1_r1", "抄袭", "Plagiarism", "", "yes"],
        ["select_one yn", "H1_r2", "造假", "Fabrication", "list-nolabel", "yes"],
        ["end group"],
        ["begin group", "T", "表", "Table", "table-list"],
        ["select_one yn", "t1", "一", "One", "", "", "提示", "has a hint"],
        ["end group"],
    ]  # fmt: skip
    instrument, issues = read(survey)
    assert issues == [], [str(i) for i in issues]
    assert instrument is not None
    matrix = instrument.item("H1")
    assert matrix is not None and matrix.type is ItemType.MATRIX and matrix.required
    assert [row.code for row in matrix.rows] == ["H1_r1", "H1_r2"]
    assert instrument.group("H1") is None
    # A table-list whose rows have hints is not a clean matrix: it stays a page group.
    assert instrument.group("T") is not None and instrument.item("t1") is not None


def test_boolean_relevant_cell_and_zero_are_expressions() -> None:
    survey = [
        HEADER,
        ["select_one yn", "a", "甲", "A", False],
        ["select_one yn", "b", "乙", "B", 0],
    ]
    instrument, issues = read(survey)
    assert issues == [] and instrument is not None
    assert instrument.item("a").relevance == "false()"  # type: ignore[union-attr]
    assert instrument.item("b").relevance == "0"  # type: ignore[union-attr]


def test_choice_filter_is_kept_with_choice_columns() -> None:
    survey = [["type", "name", ZH, EN, "choice_filter"],
              ["select_one region", "region", "省", "Region"],
              ["select_one city", "city", "市", "City", "province=${region}"]]  # fmt: skip
    choices = [["list_name", "name", ZH, EN, "province"],
               ["region", "ah", "安徽", "Anhui"], ["region", "js", "江苏", "Jiangsu"],
               ["city", "cz", "滁州", "Chuzhou", "ah"],
               ["city", "nj", "南京", "Nanjing", "js"]]  # fmt: skip
    instrument, issues = read(survey, choices)
    assert issues == [] and instrument is not None
    city = instrument.choice_list("city")
    assert city is not None and city.choices[0].attributes == {"province": "ah"}


# ------------------------------------------------------------------ bad input: exact cells


def test_duplicate_code_is_located() -> None:
    _, issues = read([HEADER, ["select_one yn", "q1", "甲", "A"], ["integer", "q1", "乙", "B"]])
    assert located(issues) == [("survey", 3, "name", "B3", "duplicate_code")]
    assert str(issues[0]) == (
        "sheet 'survey', row 3, column 'name' (cell B3): "
        "The code 'q1' is already used earlier in the questionnaire"
    )


def test_unknown_choice_list_is_located() -> None:
    _, issues = read(
        [HEADER, ["integer", "q0", "零", "Zero"], ["select_one colours", "q1", "甲", "A"]]
    )
    assert located(issues) == [("survey", 3, "type", "A3", "unknown_list")]
    assert "Unknown choice list 'colours'" in str(issues[0])


def test_relevance_to_a_later_item_is_located() -> None:
    _, issues = read(
        [HEADER, ["integer", "q1", "甲", "A", "${q2} > 1"], ["integer", "q2", "乙", "B"]]
    )
    assert located(issues) == [("survey", 2, "relevant", "E2", "later_reference")]
    assert issues[0].position == 1
    assert str(issues[0]).startswith(
        "sheet 'survey', row 2, column 'relevant' (cell E2), character 1:"
    )


def test_syntax_error_is_located_down_to_the_character() -> None:
    _, issues = read(
        [HEADER, ["integer", "q1", "甲", "A"], ["integer", "q2", "乙", "B", "", ". > (${q1} + 1"]]
    )
    assert located(issues) == [("survey", 3, "constraint", "F3", "syntax")]
    assert issues[0].position == 15
    assert "character 15" in str(issues[0])


def test_missing_chinese_label_is_located() -> None:
    _, issues = read([HEADER, ["integer", "q1", "甲", "A"], ["integer", "q2", None, "B"]])
    assert located(issues) == [("survey", 3, ZH, "C3", "translation")]
    assert "The label is missing in language 'zh-hans'" in str(issues[0])


def test_missing_chinese_choice_label_is_located_on_the_choices_sheet() -> None:
    choices = [["list_name", "name", ZH, EN], ["yn", "1", "是", "Yes"], ["yn", "2", "", "No"]]
    _, issues = read([HEADER, ["select_one yn", "q1", "甲", "A"]], choices)
    assert located(issues) == [("choices", 3, ZH, "C3", "translation")]


def test_missing_language_column_names_the_header_to_add() -> None:
    _, issues = read(
        [["type", "name", ZH, EN, "hint::English (en)"], ["integer", "q", "甲", "A", "hint"]]
    )
    assert [(i.row, i.column, i.cell) for i in issues] == [(2, "hint::Chinese (zh)", None)]


def test_many_problems_are_reported_in_one_pass_in_sheet_order() -> None:
    survey = [HEADER, ["integer", "q1", "甲", "A", "${zz} = 1"], ["integer", "q1", None, "B"],
              ["select_one nope", "q3", "丙", "C"], ["calculate", "c", "", ""]]  # fmt: skip
    _, issues = read(survey)
    assert [(i.row, i.kind) for i in issues] == [
        (2, "unknown_reference"), (3, "duplicate_code"), (3, "translation"),
        (4, "unknown_list"), (5, "unsupported"),
    ]  # fmt: skip


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("row", "column", "feature"),
    [
        (["begin repeat", "rep", "重复", "Repeat"], "type", "begin repeat"),
        (["calculate", "c", "", "", "", "", "", "2+2"], "type", "calculate"),
        (["geopoint", "g", "位置", "Where"], "type", "geopoint"),
        (["image", "i", "照片", "Photo"], "type", "image"),
        (["select_one_from_file x.csv", "f", "文件", "File"], "type", "select_one_from_file x.csv"),
        (["start", "start"], "type", "start"),
        (["dateTime", "dt", "时间", "When"], "type", "dateTime"),
        (["integer", "r", "甲", "A", "regex(., '[0-9]')"], "relevant", "regex()"),
        (["integer", "t", "甲", "A", "", ". <= today()"], "constraint", "today()"),
        (["integer", "x", "甲", "A", "instance('l')/root/item[name=1]/label = 'a'"], "relevant",
         "instance()"),
        (["integer", "j", "甲", "A", "jr:choice-name(1, '${q}') = 'a'"], "relevant",
         "jr:choice-name()"),
        (["integer", "q", "甲", "A", "", "", "${x} = 1"], "required", "${x} = 1"),
        (["integer", "d", "甲", "A", "", "", "", "", "5"], "default", "default"),
    ],
)  # fmt: skip
def test_unsupported_features_are_refused_naming_feature_and_row(
    row: list[Any], column: str, feature: str
) -> None:
    header = [*HEADER, "calculation", "default"]
    instrument, issues = read([header, ["integer", "before", "前", "Before"], row])
    assert instrument is None
    refusals = [i for i in issues if i.kind == "unsupported"]
    assert refusals and all(i.row == 3 for i in refusals)
    assert any(i.column == column and feature in str(i) for i in refusals), [str(i) for i in issues]


def test_items_inside_a_refused_repeat_do_not_cause_follow_up_errors() -> None:
    survey = [HEADER, ["begin repeat", "rep", "重复", "Repeat"], ["integer", "n", "甲", "A"],
              ["end repeat"], ["calculate", "c"],
              ["integer", "after", "乙", "B", "${c} > 1"]]  # fmt: skip
    _, issues = read(survey)
    assert [(i.row, i.kind) for i in issues] == [(2, "unsupported"), (5, "unsupported")]


@pytest.mark.parametrize(
    ("data", "kind"),
    [(b"not a zip file", "file"), (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "file")],
)
def test_unreadable_files_give_an_issue_not_a_traceback(data: bytes, kind: str) -> None:
    instrument, issues = read_xlsform(data)
    assert instrument is None and [i.kind for i in issues] == [kind]


def test_missing_survey_sheet_and_unbalanced_groups() -> None:
    book = Workbook()
    book.active.title = "choices"  # type: ignore[union-attr]
    buffer = io.BytesIO()
    book.save(buffer)
    _, issues = read_xlsform(buffer.getvalue())
    assert "no 'survey' sheet" in str(issues[0])
    _, issues = read(
        [HEADER, ["end group"], ["begin group", "g", "组", "G"], ["integer", "q", "甲", "A"]]
    )
    assert [(i.row, i.kind) for i in issues] == [(2, "structure"), (3, "structure")]


def test_truncated_workbook_gives_an_issue_not_a_traceback() -> None:
    data = write_xlsform(sample())
    for cut in (len(data) // 3, len(data) - 200):
        instrument, issues = read_xlsform(data[:cut])
        assert instrument is None and [i.kind for i in issues] == ["file"]
