"""The export files of a simulated wave: SPSS and Stata read back with pyreadstat give
the values and labels that were written, and those values mean the stored answers; the
CSV has a BOM and parses with the csv module; the XLSX opens in openpyxl; the codebook
describes every column."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import openpyxl
import pyreadstat
import pytest
from django.utils import timezone

from analysis.suppression import DEFAULT_K
from survey_platform.exports import selectors
from survey_platform.exports.writers import (
    SPSS_LABEL_BYTES,
    STATA_LABEL_CHARS,
    spss_label,
    spss_value_labels,
    stata_label,
    stata_value_labels,
)
from survey_platform.fieldwork.dataset import wave_dataset
from survey_platform.fieldwork.models import Response

from .conftest import FORMULA, PER_STATION, PHONE

pytestmark = pytest.mark.django_db


@pytest.fixture
def same_export_key(monkeypatch):
    """Every export draws its response ids under a key of its own, so that two files
    cannot be matched row by row (test_rows_get_new_ids_in_every_export); to compare a
    file with the table rebuilt here, the job and the rebuild use one key."""
    from types import SimpleNamespace

    monkeypatch.setattr(selectors, "secrets", SimpleNamespace(token_bytes=lambda n: b"k" * n))


def expected_table(wave, *, language="zh-hans", audience="office", station=None):
    """The table the job wrote, rebuilt from the same dataset (translated like the job;
    a station's export holds its released responses only)."""
    from django.utils import translation

    ds, ids = selectors.dataset_with_ids(wave, None, released=audience == "station")
    rows = selectors.station_rows(ds, station) if station is not None else None
    with translation.override(language):
        return selectors.wave_export_table(
            wave=wave, ds=ds, ids=ids, audience=audience, language=language, rows=rows
        )


def read(job, reader):
    path = Path(job.result.path)
    assert path.stat().st_size == job.result_size
    return reader(str(path))


def assert_values_equal(frame, table) -> None:
    assert list(frame.columns) == list(table.names)
    for col in table.columns:
        got = frame[col.name]
        if col.kind == "string":
            assert [("" if isinstance(v, float) else v) for v in got.tolist()] == list(col.values)
        else:
            np.testing.assert_array_equal(got.to_numpy(dtype=np.float64), col.values, col.name)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_sav_reads_back_with_the_values_and_labels_written(
    same_export_key, wave, office, run_export, language
):
    job = run_export(actor=office, wave=wave, fmt="sav", language=language)
    assert job.status == "done", job.error
    assert job.result_name == f"2026-EX_{'en' if language == 'en' else 'zh'}.sav"
    frame, meta = read(job, pyreadstat.read_sav)
    table = expected_table(wave, language=language)
    assert frame.shape == (4 * PER_STATION, len(table.columns))
    assert_values_equal(frame, table)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    for col in table.columns:
        assert labels[col.name] == spss_label(col), col.name
        assert len(labels[col.name].encode()) <= SPSS_LABEL_BYTES
        got = meta.variable_value_labels.get(col.name, {})
        assert got == {float(v): lab for v, lab in spss_value_labels(col).items()}, col.name
    assert meta.variable_measure["A1"] == "nominal" and meta.variable_measure["B6"] == "ordinal"
    assert meta.variable_measure["weight"] == "scale"
    sex = meta.variable_value_labels["A1"]
    want = {1.0: "男", 2.0: "女"} if language == "zh-hans" else {1.0: "Male", 2.0: "Female"}
    assert sex == want
    assert meta.file_label.startswith("2026-EX")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dta_reads_back_with_the_values_and_labels_written(
    same_export_key, wave, office, run_export, language
):
    job = run_export(actor=office, wave=wave, fmt="dta", language=language)
    assert job.status == "done", job.error
    frame, meta = read(job, pyreadstat.read_dta)
    table = expected_table(wave, language=language)
    assert_values_equal(frame, table)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    shortened = 0
    for col in table.columns:
        assert labels[col.name] == stata_label(col), col.name
        assert len(labels[col.name]) <= STATA_LABEL_CHARS
        got = meta.variable_value_labels.get(col.name, {})
        assert got == stata_value_labels(col), col.name
        if labels[col.name] != col.label:  # cut in the question, never in the option
            shortened += 1
            detail = col.label_parts[1]
            if len(detail) < STATA_LABEL_CHARS - 5:
                assert labels[col.name].endswith(detail), col.name
            else:
                assert labels[col.name].startswith(detail[:40]), col.name
    assert language == "zh-hans" or shortened > 0  # English questions are long


def test_sav_and_dta_agree_with_each_other(same_export_key, wave, office, run_export):
    sav, sav_meta = read(run_export(actor=office, wave=wave, fmt="sav"), pyreadstat.read_sav)
    dta, dta_meta = read(run_export(actor=office, wave=wave, fmt="dta"), pyreadstat.read_dta)
    assert list(sav.columns) == list(dta.columns)
    for name in sav.columns:
        if sav[name].dtype.kind == "f":
            np.testing.assert_array_equal(sav[name].to_numpy(), dta[name].to_numpy(), name)
        else:
            assert sav[name].fillna("").tolist() == dta[name].fillna("").tolist(), name
    sav_labels = dict(zip(sav_meta.column_names, sav_meta.column_labels, strict=True))
    dta_labels = dict(zip(dta_meta.column_names, dta_meta.column_labels, strict=True))
    short = [n for n, lab in sav_labels.items() if len(lab) <= STATA_LABEL_CHARS]
    assert len(short) > 100
    assert all(sav_labels[n] == dta_labels[n] for n in short)
    for name, labels in sav_meta.variable_value_labels.items():
        fitting = {v: lab for v, lab in labels.items() if len(lab.encode()) < 120}
        stata = dta_meta.variable_value_labels[name]
        assert all(stata[int(v)] == lab for v, lab in fitting.items())


def test_values_mean_the_stored_answers(same_export_key, wave, office, run_export):
    """Decode the SPSS file with its own value labels' codes and compare every closed
    answer of every response with the database."""
    frame, _meta = read(run_export(actor=office, wave=wave, fmt="sav"), pyreadstat.read_sav)
    table = expected_table(wave)
    responses = list(Response.objects.filter(wave=wave).order_by("pk"))
    by_id = dict(zip(selectors.opaque_ids(wave, [r.pk for r in responses]), responses, strict=True))
    assert set(frame["response_id"]) == set(by_id)
    assert all(str(r.pk) not in set(frame["response_id"]) for r in responses)
    checked = 0
    for i, rid in enumerate(frame["response_id"]):
        answers = by_id[rid].answers
        assert frame["station"][i] == by_id[rid].station_id
        for col in table.columns:
            var = col.variable
            if var is None or var.role.value != "item":
                continue
            value = frame[col.name][i]
            answer = answers.get(var.item)
            if var.kind.value == "multi":
                want = math.nan if not answer else float(var.option in answer)
            elif var.rank is not None:
                want = answer[var.rank - 1] if answer and len(answer) >= var.rank else None
                value = None if math.isnan(value) else col.codes[int(value)]
            elif var.kind.value == "categorical":
                want = answers.get(var.code)
                value = None if math.isnan(value) else col.codes[int(value)]
            elif var.kind.value == "numeric":
                want = math.nan if answer is None else float(answer)
            else:
                continue
            if isinstance(want, float) and math.isnan(want):
                assert math.isnan(value), (col.name, rid)
            else:
                assert value == want, (col.name, rid, value, want)
            checked += 1
    assert checked > 100 * len(frame)


def test_rows_are_ordered_by_station_then_opaque_id(wave, office, run_export):
    frame, _meta = read(run_export(actor=office, wave=wave, fmt="sav"), pyreadstat.read_sav)
    keys = list(zip(frame["station"], frame["response_id"], strict=True))
    assert keys == sorted(keys)
    assert frame["response_id"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert frame["response_id"].is_unique and len(frame) == 4 * PER_STATION


def test_rows_get_new_ids_in_every_export(wave, office, run_export):
    """(Replaces: ids stable across exports.) The same responses get other ids, in
    another order within each station, in the next file: two exports cannot be matched
    row by row."""
    first, _meta = read(run_export(actor=office, wave=wave, fmt="sav"), pyreadstat.read_sav)
    second, _meta = read(run_export(actor=office, wave=wave, fmt="sav"), pyreadstat.read_sav)
    assert len(first) == len(second) == 4 * PER_STATION
    assert not set(first["response_id"]) & set(second["response_id"])
    assert list(first["station"]) == list(second["station"])  # stations stay in order
    assert (
        first["A1"].tolist() != second["A1"].tolist()
        or first["A2"].tolist() != second["A2"].tolist()
    )  # rows are shuffled within the stations


def test_open_answers_reach_the_office_scrubbed(wave, office, run_export):
    frame, _meta = read(run_export(actor=office, wave=wave, fmt="sav"), pyreadstat.read_sav)
    texts = " ".join(frame["K1"].tolist())
    assert PHONE not in texts and "出口站0" not in texts and "王主任" not in texts
    assert "【电话】" in texts and "【姓名】" in texts


def test_csv_has_a_bom_and_parses(same_export_key, wave, office, run_export):
    job = run_export(actor=office, wave=wave, fmt="csv", language="en")
    raw = Path(job.result.path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert job.result_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    table = expected_table(wave, language="en")
    assert rows[0] == list(table.names)
    assert len(rows) == 1 + table.n
    sex = table.names.index("A1")
    weight = table.names.index("weight")
    pairs = zip(table.column("A1").values, table.column("weight").values, strict=True)
    for row, (value, w) in zip(rows[1:], pairs, strict=True):
        assert row[sex] == ("" if math.isnan(value) else str(int(value)))
        assert float(row[weight]) == w
    k2 = [row[table.names.index("K2")] for row in rows[1:]]
    assert not any(cell.startswith("=") for cell in k2)  # no formula for Excel to run
    assert any(cell.startswith("'=HYPERLINK") for cell in k2)


def test_xlsx_opens_in_openpyxl(same_export_key, wave, office, run_export):
    job = run_export(actor=office, wave=wave, fmt="xlsx")
    wb = openpyxl.load_workbook(job.result.path)
    assert wb.sheetnames == ["data", "variables"]
    rows = list(wb["data"].iter_rows(values_only=True))
    table = expected_table(wave)
    assert list(rows[0]) == list(table.names) and len(rows) == 1 + table.n
    a8 = table.names.index("A8")
    got = [r[a8] for r in rows[1:]]
    want = [None if math.isnan(v) else int(v) for v in table.column("A8").values]
    assert got == want
    k2 = table.names.index("K2")
    cells = [row[k2] for row in wb["data"].iter_rows(min_row=2)]
    injected = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    assert injected and all(c.data_type == "s" for c in injected)
    assert FORMULA.split("(")[0] in injected[0].value
    variables = {r[0]: r for r in wb["variables"].iter_rows(min_row=2, values_only=True)}
    assert variables["A1"][2] == "1 = 男; 2 = 女"


def test_codebook_describes_every_column(same_export_key, wave, office, run_export):
    job = run_export(actor=office, wave=wave, fmt="codebook", language="zh-hans")
    assert job.status == "done" and job.result_name == "2026-EX_codebook_zh.xlsx"
    wb = openpyxl.load_workbook(job.result.path)
    variables, values, about = wb.worksheets
    rows = {r[0]: r for r in variables.iter_rows(min_row=2, values_only=True)}
    table = expected_table(wave)
    assert list(rows) == list(table.names)
    j1 = rows["J1__G01"]
    question = "您当前在工作和生活中面临的主要困难是什么？（最多选三项）"
    assert j1[2] == f"{question} — 科研经费不足、项目申请难"
    assert j1[3].startswith("您当前在工作和生活中面临的主要困难")
    assert j1[4].startswith("What are the main difficulties")
    assert rows["E3"][10] == "${E1} = '1'「是」"  # the group's condition
    assert "${F5} = '1'" in rows["F6__1"][10] and "${F5} = '2'" in rows["F6__1"][10]
    assert rows["A1"][10] is None
    assert rows["A1"][9] == "1 = 男; 2 = 女"
    assert rows["K1"][11]  # the note on scrubbing
    sex = [r for r in values.iter_rows(min_row=2, values_only=True) if r[0] == "A1"]
    assert sex == [("A1", 1, "1", "男", "Male"), ("A1", 2, "2", "女", "Female")]
    stratum = [r for r in values.iter_rows(min_row=2, values_only=True) if r[0] == "stratum"]
    assert [r[1] for r in stratum] == [1, 2] and all(r[2] for r in stratum)
    facts = dict(about.iter_rows(values_only=True))
    assert str(table.n) in facts.values()
    assert wave.instrument_version.checksum in facts.values()


def test_codebook_before_any_response(office, standard_version, stations, run_export):
    from .conftest import make_wave

    empty = make_wave(office, standard_version, stations, code="2026-NONE")
    job = run_export(actor=office, wave=empty, fmt="codebook", language="en")
    assert job.status == "done", job.error
    wb = openpyxl.load_workbook(job.result.path)
    names = [r[0] for r in wb.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert "J1__G01" in names and "response_id" in names and "A1" in names


def test_station_export_has_own_rows_without_open_answers(
    same_export_key, wave, allowed, officer, stations, run_export
):
    job = run_export(actor=officer, wave=wave, fmt="sav", station=stations[0])
    assert job.status == "done", job.error
    assert job.station == stations[0]
    frame, meta = read(job, pyreadstat.read_sav)
    assert len(frame) == PER_STATION >= DEFAULT_K
    assert set(frame["station"]) == {float(stations[0].pk)}
    for gone in ("K1", "K2", "A5_other", "A2"):
        assert gone not in frame.columns
    assert "age_group" in frame.columns and "J1__G01" in frame.columns
    assert meta.variable_value_labels["station"] == {float(stations[0].pk): stations[0].name}
    table = expected_table(wave, audience="station", station=stations[0])
    assert_values_equal(frame, table)
    ids = set(frame["response_id"])
    own = Response.objects.filter(wave=wave, station=stations[0], release__isnull=False)
    assert own.count() == PER_STATION  # all released (in groups of at least k)
    assert ids == set(selectors.opaque_ids(wave, [r.pk for r in own]))


def test_flagged_responses_follow_the_request(wave, office, run_export):
    flagged = Response.objects.filter(wave=wave).order_by("pk")[:5]
    Response.objects.filter(pk__in=[r.pk for r in flagged]).update(
        quality_flags=["speeder"], updated_at=timezone.now()
    )
    default = run_export(actor=office, wave=wave, fmt="csv")
    everything = run_export(actor=office, wave=wave, fmt="csv", include_flagged=True)
    assert default.status == everything.status == "done"
    count = lambda job: Path(job.result.path).read_text("utf-8-sig").count("\n") - 1  # noqa: E731
    assert count(default) == 4 * PER_STATION - 5
    assert count(everything) == 4 * PER_STATION
    assert len(wave_dataset(wave, include_flagged=True).weights) == 4 * PER_STATION
