"""The pure parts of exports: variable names for SPSS and Stata, values of choice codes,
labels cut to a format's limit, the station audience's columns (no database)."""

from __future__ import annotations

import numpy as np
import pytest

import analysis as an
from analysis.simulate import simulate_answers, simulate_meta
from instruments.standard import load_standard
from survey_platform.exports.names import MAX_LENGTH, is_valid, variable_names
from survey_platform.exports.table import (
    ExportColumn,
    ExportOptions,
    export_table,
    level_values,
)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("A1", "A1"),
        ("J1__G01", "J1__G01"),
        ("D2_r1", "D2_r1"),
        ("q.1", "q_1"),
        ("1st", "v1st"),
        ("_x", "v_x"),
        ("题目", "v"),
        ("with", "with_v"),
        ("BY", "BY_v"),
        ("str12", "str12_v"),
        ("end_", "end"),
        ("x" * 40, "x" * MAX_LENGTH),
    ],
)
def test_names_follow_both_programs_rules(code, name):
    assert variable_names([code]) == {code: name}
    assert is_valid(name)


def test_names_are_unique_without_regard_to_case():
    names = variable_names(["q1", "Q1", "q-1", "q.1", "a" * 40, "a" * 41])
    assert list(names.values()) == ["q1", "Q1_2", "q_1", "q_1_2", "a" * 32, "a" * 30 + "_2"]
    assert len({n.lower() for n in names.values()}) == 6
    assert all(is_valid(n) for n in names.values())


def test_invalid_names_are_recognised():
    for bad in ("1a", "a.b", "a b", "_n", "ALL", "x" * 33, "a_", "strL", "题"):
        assert not is_valid(bad), bad


def test_level_values():
    assert level_values(("1", "2", "99")) == [1, 2, 99]
    assert level_values(("341102", "999999")) == [341102, 999999]
    assert level_values(("G01", "G02")) == [1, 2]
    assert level_values(("01", "02")) == [1, 2]  # a leading zero: positions
    assert level_values(("senior", "associate", "none")) == [1, 2, 3]


def column(head: str, tail: str) -> ExportColumn:
    return ExportColumn("x", "x", "numeric", np.zeros(1), (head, tail))


def test_labels_are_cut_in_the_question_not_the_option():
    col = column("问" * 60, "科研经费不足")
    assert col.label == "问" * 60 + " — 科研经费不足"
    short = col.label_within(40)
    assert len(short) == 40 and short.endswith("… — 科研经费不足")
    in_bytes = col.label_within(60, in_bytes=True)
    assert len(in_bytes.encode()) <= 60 and in_bytes.endswith("科研经费不足")
    long_option = column("Question", "o" * 100)
    assert long_option.label_within(80) == "o" * 79 + "…"
    assert column("Short", "").label_within(80) == "Short"


@pytest.fixture(scope="module")
def dataset():
    ins = load_standard()
    meta = simulate_meta(300, stations=6, strata=2, seed=5)
    return an.dataset_from_answers(
        ins, simulate_answers(ins, 300, seed=5, station=meta["station"]), meta, reference_year=2026
    )


def test_table_columns_and_values(dataset):
    ids = np.array([f"{i:016x}" for i in range(dataset.n)][::-1])
    table = export_table(dataset, ids, ExportOptions(language="en"))
    assert table.names[:4] == ("response_id", "station", "stratum", "weight")
    assert table.n == dataset.n
    order = np.lexsort((ids, dataset.columns["station"]))
    np.testing.assert_array_equal(table.column("weight").values, dataset.weights[order])
    multi = table.column("J1__G01").values
    assert set(np.unique(multi[~np.isnan(multi)])) <= {0.0, 1.0}
    assert table.column("A1").value_labels == {1: "Male", 2: "Female"}
    assert table.column("station").value_labels[1] == "S001"
    assert "K1" in table.names and "A2" in table.names


def test_station_audience_gets_no_open_answers_or_years(dataset):
    ids = np.array([f"{i:016x}" for i in range(dataset.n)])
    rows = np.flatnonzero(dataset.columns["station"] == 2)
    table = export_table(dataset, ids, ExportOptions(audience="station", rows=rows))
    assert table.n == rows.size
    kinds = {c.variable.kind.value for c in table.columns if c.variable is not None}
    assert "text" not in kinds and "A2" not in table.names and "A5_other" not in table.names
    assert "age_group" in table.names
    assert table.column("station").value_labels == {3: "S003"}
    assert set(table.column("station").values) == {3.0}


def test_open_answers_are_scrubbed_once_per_distinct_text(dataset, monkeypatch):
    from survey_platform.exports import table as module

    calls: list[str] = []
    real = module.scrub
    monkeypatch.setattr(module, "scrub", lambda t, u: calls.append(t) or real(t, u))
    ids = np.array([f"{i:016x}" for i in range(dataset.n)])
    table = export_table(dataset, ids, ExportOptions(scrub_units=("S001",)))
    written = [t for t in table.column("K1").values if t]
    assert written and len(calls) == len(set(calls)) < len(written)


def test_row_ids_must_match_the_rows(dataset):
    with pytest.raises(ValueError, match="row ids"):
        export_table(dataset, np.array(["a"]), ExportOptions())


def test_unit_masker_masks_like_the_scrubber():
    """Pre-masking the units, then scrubbing without them, gives what the scrubber gives
    with them, for any number of units."""
    from analysis.text.scrub import scrub
    from survey_platform.exports.table import UnitMasker

    units = ["皖东理工学院", "天长市人民医院", "Anhui University", "出口站0", "X"]
    units += [f"测试单位{i}号研究院" for i in range(300)]
    masker = UnitMasker(units)
    texts = [
        "我在皖东理工学院工作，王主任电话13912345678",
        "天长市人民医院的条件差，天长市人民医院",
        "ANHUI UNIVERSITY is ok",
        "ａｎｈｕｉ ｕｎｉｖｅｒｓｉｔｙ",
        "测试单位17号研究院和测试单位170号研究院都一样",
        "出口站0X",
        "没有",
        "",
    ]
    for text in texts:
        assert scrub(masker(text), ()).text == scrub(text, units).text, text
    assert UnitMasker([])("ＡＢ") == "ＡＢ"


@pytest.fixture
def dated(small_definition):
    """A questionnaire with a date and an open text, three answers."""
    from instruments.schema import Instrument

    small_definition["items"] += [
        {"code": "A3", "type": "date", "label": {"zh-hans": "日期", "en": "Date"}, "group": "A"},
        {"code": "A4", "type": "text", "label": {"zh-hans": "意见", "en": "Text"}, "group": "A"},
    ]
    answers = [
        {"A1": "1", "A2": 3, "A3": "2026-01-02", "A4": "长" * 1500},
        {"A1": "2"},
        {"A1": "1", "A3": "2025-12-31", "A4": "=1+1"},
    ]
    ins = Instrument.from_dict(small_definition)
    ds = an.dataset_from_answers(ins, answers, {"station": np.array(["s1", "s1", "s2"])})
    return export_table(ds, np.array(["a", "b", "c"]), ExportOptions())


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_dates_and_long_texts_in_spss_and_stata(dated, tmp_path, fmt):
    import datetime

    import pyreadstat

    from survey_platform.exports.writers import write

    write(fmt, dated, tmp_path / f"x.{fmt}")
    frame, meta = getattr(pyreadstat, f"read_{fmt}")(str(tmp_path / f"x.{fmt}"))
    dates = frame["A3"].tolist()
    assert dates[0] == datetime.date(2026, 1, 2) and dates[2] == datetime.date(2025, 12, 31)
    assert dates[1] is None or dates[1] != dates[1]  # missing
    assert meta.original_variable_types["A3"] in ("DATE11", "%td")
    assert frame["A4"].fillna("").tolist() == ["长" * 1500, "", "=1+1"]


def test_dates_and_formulas_in_csv_and_xlsx(dated, tmp_path):
    import openpyxl

    from survey_platform.exports.writers import write

    write("csv", dated, tmp_path / "x.csv")
    lines = (tmp_path / "x.csv").read_text("utf-8-sig").splitlines()
    assert lines[2] == "b,1,1,2,2,,,"
    assert lines[3].endswith(",2025-12-31,'=1+1")
    write("xlsx", dated, tmp_path / "x.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "x.xlsx")["data"].iter_rows())
    assert rows[3][6].value.date().isoformat() == "2025-12-31"
    assert rows[3][7].value == "=1+1" and rows[3][7].data_type == "s"
