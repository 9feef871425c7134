from __future__ import annotations

import io
from html import unescape

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from instruments import services
from instruments.models import Instrument, InstrumentVersion
from instruments.schema import from_dict
from instruments.xlsform import write_xlsform
from tests.conftest import client_for


@pytest.fixture
def version(office, small_definition):
    instrument = services.instrument_create(actor=office, code="test-q", name="测试问卷")
    return services.version_create(actor=office, instrument=instrument, definition=small_definition)


def _workbook(definition) -> bytes:
    return write_xlsform(from_dict(definition))


def _edit(data: bytes, row: int, column: str, value) -> bytes:
    """Set one cell of the survey sheet (row as Excel numbers it, column by header)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["survey"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row, header.index(column) + 1).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _break_duplicate_code(data: bytes) -> bytes:
    return _edit(data, 4, "name", "A1")


# The survey sheet of SMALL: row 2 begin group A, row 3 A1 (select_one yn), row 4 A2.
BAD_WORKBOOKS = {
    "duplicate code": (lambda d: _edit(d, 4, "name", "A1"), "B4", "A1"),
    "unknown choice list": (lambda d: _edit(d, 3, "type", "select_one nolist"), "A3", "nolist"),
    "later item": (lambda d: _edit(d, 3, "relevant", "${A2} > 1"), "H3", "A2"),
    "syntax error": (lambda d: _edit(d, 4, "relevant", "${A1} = = '1'"), "H4", "="),
    "missing Chinese label": (lambda d: _edit(d, 4, "label::Chinese (zh)", None), "C4", "zh-hans"),
}


@pytest.mark.parametrize("case", sorted(BAD_WORKBOOKS))
def test_each_bad_workbook_names_its_cell_in_chinese(office, small_definition, case):
    mutate, cell, detail = BAD_WORKBOOKS[case]
    client = client_for(office)
    response = _upload(
        client,
        reverse("instruments:list"),
        mutate(_workbook(small_definition)),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    html = unescape(response.content.decode())
    issues = html.split('id="import-issues"')[1].split("</div>")[0]
    assert f"单元格 {cell}" in issues, issues
    assert "工作表" in issues and detail in issues
    assert not Instrument.objects.exists() and not InstrumentVersion.objects.exists()


def _upload(client, url, data, **headers):
    form = {"file": SimpleUploadedFile("q.xlsx", data), "kind": "standard"}
    return client.post(url, form, **headers)


def test_import_new_questionnaire_page(office, small_definition):
    client = client_for(office)
    response = _upload(client, reverse("instruments:list"), _workbook(small_definition))
    assert response.status_code == 302
    version = InstrumentVersion.objects.get()
    assert version.instrument.code == "t" and version.status == "draft"
    assert version.definition == from_dict(small_definition).to_dict()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", ["工作表", "survey", "行", "A1"]), ("en", ["sheet 'survey'", "row", "A1"])],
)
def test_bad_workbook_is_refused_with_location_and_nothing_saved(
    office, small_definition, language, expected
):
    client = client_for(office)
    bad = _break_duplicate_code(_workbook(small_definition))
    response = _upload(client, reverse("instruments:list"), bad, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert 'id="import-issues"' in html
    assert "B4" in html  # the exact cell of the duplicate code
    for text in expected:
        assert text in html
    assert not Instrument.objects.exists() and not InstrumentVersion.objects.exists()


def test_non_xlsx_upload_refused(office):
    response = client_for(office).post(
        reverse("instruments:list"),
        {"file": SimpleUploadedFile("q.csv", b"a,b"), "kind": "standard"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400 and ".xlsx" in response.content.decode()
    assert not Instrument.objects.exists()


def test_garbage_xlsx_refused_without_traceback(office):
    response = _upload(client_for(office), reverse("instruments:list"), b"not a workbook")
    assert response.status_code == 400
    assert 'id="import-issues"' in response.content.decode()
    assert not Instrument.objects.exists()


def test_version_pages(office, version, small_definition):
    client = client_for(office)
    detail = client.get(reverse("instruments:version", args=[version.pk]))
    assert detail.status_code == 200 and "A2" in detail.content.decode()
    for lang, text in (("zh-hans", "您目前主持科研项目吗？"), ("en", "Do you lead a project?")):
        page = client.get(reverse("instruments:preview", args=[version.pk]) + f"?lang={lang}")
        html = page.content.decode()
        assert page.status_code == 200 and text in html
        assert 'data-relevant="${A1} = &#x27;1&#x27;"' in html
        assert "logic.js" in html and "form.js" in html
    download = client.get(reverse("instruments:xlsform", args=[version.pk]))
    assert download.status_code == 200
    assert from_dict(small_definition).to_dict() == _reimport(download.content)


def _reimport(data: bytes):
    from instruments.xlsform import read_xlsform

    schema, issues = read_xlsform(data)
    assert not issues
    return schema.to_dict()


def test_publish_copy_diff_discard_buttons(office, version, small_definition):
    client = client_for(office)
    client.post(reverse("instruments:publish", args=[version.pk]))
    version.refresh_from_db()
    assert version.is_published
    response = client.post(reverse("instruments:publish", args=[version.pk]), follow=True)
    assert (
        "已经发布" in response.content.decode() or "already published" in response.content.decode()
    )
    client.post(reverse("instruments:copy", args=[version.pk]))
    draft = InstrumentVersion.objects.get(number=2)
    small_definition["items"][0]["label"]["zh-hans"] = "您目前是否主持科研项目？"
    small_definition["items"].append(
        {"code": "A3", "type": "text", "label": {"zh-hans": "备注", "en": "Notes"}, "group": "A"}
    )
    services.version_update_draft(actor=office, version=draft, definition=small_definition)
    diff = client.get(
        reverse("instruments:diff", args=[draft.pk, version.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = diff.content.decode()
    assert diff.status_code == 200
    assert "A3" in html and "A1" in html and "breaking" in html
    client.post(reverse("instruments:discard", args=[draft.pk]))
    assert not InstrumentVersion.objects.filter(pk=draft.pk).exists()
    client.post(reverse("instruments:discard", args=[version.pk]))
    assert InstrumentVersion.objects.filter(pk=version.pk).exists()


def test_draft_replaced_from_workbook_and_published_refused(office, version, small_definition):
    client = client_for(office)
    url = reverse("instruments:version", args=[version.pk])
    small_definition["items"][1]["max_value"] = 42
    ok = _upload(client, url, _workbook(small_definition))
    assert ok.status_code == 302
    version.refresh_from_db()
    assert version.definition["items"][1]["max_value"] == 42
    bad = _upload(client, url, _break_duplicate_code(_workbook(small_definition)))
    assert bad.status_code == 400 and 'id="import-issues"' in bad.content.decode()
    version.refresh_from_db()
    assert version.definition["items"][1]["code"] == "A2"
    services.version_publish(actor=office, version=version)
    small_definition["items"][1]["max_value"] = 7
    refused = _upload(client, url, _workbook(small_definition), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 302
    page = client.get(refused.url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已发布的问卷版本不能修改" in page
    version.refresh_from_db()
    assert version.definition["items"][1]["max_value"] == 42


INSTRUMENT_URLS = [
    "list",
    "instrument",
    "version",
    "preview",
    "diff",
    "xlsform",
    "publish",
    "copy",
    "discard",
]


def _urls(version):
    args = {
        "list": [],
        "instrument": [version.instrument.code],
        "diff": [version.pk, version.pk],
    }
    return {
        name: reverse(f"instruments:{name}", args=args.get(name, [version.pk]))
        for name in INSTRUMENT_URLS
    }


def test_every_instruments_url_is_covered():
    from django.urls import get_resolver

    namespace = get_resolver().namespace_dict["instruments"][1]
    names = {name for name in namespace.reverse_dict if isinstance(name, str)}
    assert names == set(INSTRUMENT_URLS)


@pytest.mark.parametrize("name", INSTRUMENT_URLS)
def test_instrument_pages_refuse_other_roles(name, version, leader, officer_a):
    url = _urls(version)[name]
    method = "post" if name in {"publish", "copy", "discard"} else "get"
    anonymous = getattr(Client(), method)(url)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))
    for user in (leader, officer_a):
        assert getattr(client_for(user), method)(url).status_code == 403
    version.refresh_from_db()
    assert version.status == "draft"
