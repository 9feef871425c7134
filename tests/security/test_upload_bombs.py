"""Hostile rosters and XLSForms on every upload path (pages and API): each is refused with
a 400 and a clear message (JSON under /api/), nothing is stored, quickly, and the web
process's peak memory barely moves. The files are generated in tests/security/bombs.py.
"""

from __future__ import annotations

import functools
import io
import time
from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

import instruments.standard
from instruments import services as instrument_services
from instruments.models import Instrument, InstrumentVersion
from instruments.xlsform import read_xlsform
from instruments.xlsform.guard import (
    XLSFORM_LIMITS,
    WorkbookLimits,
    WorkbookRefused,
    check_container,
)
from instruments.xlsform.sandbox import read_xlsform_bounded, sheet_rows_bounded
from survey_platform.api.tokens import token_create
from survey_platform.core.models import AuditEvent
from survey_platform.fieldwork.models import Invitation
from survey_platform.fieldwork.roster import RosterFileError, parse_roster
from tests.conftest import client_for
from tests.fieldwork.test_invitations import make_quotas
from tests.security import bombs

pytestmark = pytest.mark.django_db

SECONDS = 10.0  # bench/upload_bombs.py shows 0.03–1.5 s; room for a loaded test machine
GROWTH_MIB = 100.0

# What the English message says, per file. Rosters allow 2 MB and 32 MB unpacked,
# XLSForms 5 MB and 64 MB; both refuse DTDs, deep nesting and over-long cells.
COMMON = {
    "shared_strings": "unpacks to more than",
    "blank_rows": "compressed 682 times",
    "xxe": "document type declaration",
    "billion_laughs": "document type declaration",
    "huge_cell": "unpacks to more than",
    "deep_nesting": "nested more than 64 levels",
    "long_cell": "longer than 32767 characters",
    "not_zip": "not a readable Excel workbook",
    "lying_sizes": "not a readable Excel workbook",
}
ROSTER = {**COMMON, "numbered_rows": "more than 50000 rows", "entries": "larger than 2 MB"}
XLSFORM = {**COMMON, "numbered_rows": "more than 10000 rows", "entries": "larger than 5 MB"}
CSV = {"wide_csv": "more than 50 columns", "long_line_csv": "longer than 131072 characters"}
TOO_BIG_FOR_API = {"entries"}  # over the multipart parser's byte limit: 413, still JSON


@functools.cache
def hostile(name: str) -> tuple[str, bytes]:
    return {**bombs.WORKBOOKS, **bombs.CSVS}[name]()


def upload(name: str) -> io.BytesIO:
    filename, data = hostile(name)
    handle = io.BytesIO(data)
    handle.name = filename
    return handle


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def quota(office, small_definition, station_a):
    return make_quotas(office, small_definition, [station_a])[0]


def api_client(user) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {token_create(actor=None, user=user, name='t')[1]}"
    )
    return client


def timed(post):
    """The response, and the seconds and peak-memory growth of producing it."""
    started = time.perf_counter()
    with bombs.PeakMemory() as memory:
        response = post()
    return response, time.perf_counter() - started, memory.growth_mib


def assert_fast_and_small(seconds: float, growth: float) -> None:
    assert seconds < SECONDS, f"took {seconds:.1f} s"
    assert growth < GROWTH_MIB, f"peak memory grew {growth:.0f} MiB"


def assert_nothing_imported() -> None:
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(data__event="roster_import").exists()


# --- rosters ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted({**ROSTER, **CSV}))
def test_roster_page_refuses(name, quota, officer_a, english):
    url = reverse("fieldwork:roster-import", args=[quota.pk])
    client = client_for(officer_a)
    form = {"file": upload(name), "language": "en"}
    response, seconds, growth = timed(lambda: client.post(url, form))
    assert response.status_code == 400
    assert {**ROSTER, **CSV}[name] in response.content.decode()
    assert_nothing_imported()
    assert_fast_and_small(seconds, growth)


@pytest.mark.parametrize("name", sorted({**ROSTER, **CSV}))
def test_roster_api_refuses_with_json(name, quota, officer_a, english):
    client = api_client(officer_a)
    url = f"/api/v1/quotas/{quota.pk}/invitations/import/"
    form = {"file": upload(name)}
    response, seconds, growth = timed(lambda: client.post(url, form, format="multipart"))
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    if name in TOO_BIG_FOR_API:
        assert response.status_code == 413 and body["detail"]
    else:
        assert response.status_code == 400
        assert {**ROSTER, **CSV}[name] in body["detail"]
        assert body["errors"]["file"]
    assert_nothing_imported()
    assert_fast_and_small(seconds, growth)


def test_roster_refusal_is_in_chinese_by_default(quota, officer_a):
    url = reverse("fieldwork:roster-import", args=[quota.pk])
    response = client_for(officer_a).post(url, {"file": upload("xxe"), "language": "zh-hans"})
    assert response.status_code == 400
    assert "文档类型声明" in response.content.decode()


# --- XLSForms --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(XLSFORM))
def test_xlsform_page_refuses(name, office, english):
    client = client_for(office)
    form = {"file": upload(name), "kind": "standard"}
    response, seconds, growth = timed(lambda: client.post(reverse("instruments:list"), form))
    assert response.status_code == 400
    assert XLSFORM[name] in response.content.decode()
    assert not Instrument.objects.exists()
    assert_fast_and_small(seconds, growth)


@pytest.mark.parametrize("name", sorted(XLSFORM))
def test_xlsform_api_refuses_with_json(name, office, english):
    instrument_services.instrument_create(actor=office, code="q", name="问卷")
    client = api_client(office)
    url = "/api/v1/instruments/q/import/"
    form = {"file": upload(name)}
    response, seconds, growth = timed(lambda: client.post(url, form, format="multipart"))
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    if name in TOO_BIG_FOR_API:
        assert response.status_code == 413 and body["detail"]
    else:
        assert response.status_code == 400
        assert any(XLSFORM[name] in text for text in body["errors"]["definition"]), body
    assert not InstrumentVersion.objects.exists()
    assert_fast_and_small(seconds, growth)


def test_xlsform_refusal_is_in_chinese_by_default(office):
    form = {"file": upload("billion_laughs"), "kind": "standard"}
    response = client_for(office).post(reverse("instruments:list"), form)
    assert response.status_code == 400
    assert "文档类型声明" in response.content.decode()


# --- the guard and the bounded parse themselves -----------------------------------------


def test_part_count_is_read_before_zipfile_lists_the_parts():
    _, data = hostile("entries")
    limits = WorkbookLimits(max_file_bytes=20 * 2**20)
    with pytest.raises(WorkbookRefused, match="parts"):
        check_container(data, limits)


def test_a_legitimate_workbook_reads_the_same_bounded():
    data = (Path(instruments.standard.__file__).parent / "standard_questionnaire.xlsx").read_bytes()
    assert read_xlsform_bounded(data, XLSFORM_LIMITS) == read_xlsform(data)


@pytest.mark.parametrize(
    ("limits", "fragment"),
    [
        (WorkbookLimits(timeout_seconds=0.05), "more than 0 seconds"),
        (WorkbookLimits(memory_bytes=1, max_rows=100_000), "MB of memory"),
        (WorkbookLimits(max_result_bytes=10), "more data than can be imported"),
    ],
)
def test_the_child_process_is_bounded(limits, fragment):
    _, data = bombs.numbered_rows(20_000)  # a parse that needs some memory
    with pytest.raises(WorkbookRefused, match=fragment):
        sheet_rows_bounded(data, limits, keep=frozenset({"姓名"}), max_chars=100)


def test_only_the_roster_columns_come_back():
    rows = sheet_rows_bounded(
        bombs.base_workbook(), XLSFORM_LIMITS, keep=frozenset({"姓名"}), max_chars=1
    )
    assert rows == [(1, ["姓", "邮"]), (2, ["张"])]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"name\n" + b"\n" * 60_000 + b"x\n", "more than 50000 rows"),
        (b"\x80\x81\xff name\n", "neither UTF-8 nor GBK"),
    ],
)
def test_csv_limits(data, fragment, english):
    with pytest.raises(RosterFileError, match=fragment):
        parse_roster(data, "r.csv")


def test_settings_change_the_limits(settings, english):
    settings.ROSTER_UPLOAD_LIMITS = {"max_rows": 3}
    with pytest.raises(RosterFileError, match="more than 3 rows"):
        parse_roster(b"name\na\nb\nc\n", "r.csv")
