"""Invitation pages and services: who may do what, roster import, printed codes, the
open link. E-mails are in test_invitations_email.py, the purge in test_invitations_purge.py.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from survey_platform.core.models import AuditAction, AuditEvent
from survey_platform.fieldwork import invitations as svc
from survey_platform.fieldwork.models import Channel, Invitation, InvitationState, StationQuota
from tests.conftest import client_for
from tests.fieldwork.fixtures import issue_code

pytestmark = pytest.mark.django_db

ROSTER = (
    "姓名,邮箱,手机,职称,年龄组\n"
    "张三,zhangsan@example.cn,138 0000 0001,正高,35-44岁\n"
    "李四,,13800000002,中级,35岁以下\n"
    "王五,wangwu@example.cn,,副高,55岁及以上\n"
)


# --- helpers shared by the other invitation test modules -------------------------------


def make_version(office, definition):
    from instruments import services as instruments

    instrument = instruments.instrument_create(actor=office, code="tq", name="测试问卷")
    version = instruments.version_create(actor=office, instrument=instrument, definition=definition)
    return instruments.version_publish(actor=office, version=version)


def make_wave(office, definition, *, code="2026-T1", version=None):
    from survey_platform.fieldwork import services

    now = timezone.now()
    wave = services.wave_create(
        actor=office,
        code=code,
        title="2026年测试调查",
        title_en="Test survey 2026",
        kind="quick",
        instrument_version=version or make_version(office, definition),
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
    )
    return wave


def make_quotas(office, definition, stations, *, status="open", code="2026-T1", version=None):
    """A wave with a quota of 50 for each station, brought to ``status``."""
    from survey_platform.fieldwork import services

    wave = make_wave(office, definition, code=code, version=version)
    quotas = [services.quota_set(actor=office, wave=wave, station=s, target=50) for s in stations]
    if status in ("open", "closed", "analysed"):
        wave = services.wave_open(actor=office, wave=wave)
    if status in ("closed", "analysed"):
        wave = services.wave_close(actor=office, wave=wave)
    if status == "analysed":
        wave = services.wave_mark_analysed(actor=office, wave=wave)
    return [StationQuota.objects.select_related("wave", "station").get(pk=q.pk) for q in quotas]


def upload(text: str | bytes, name: str = "roster.csv", encoding: str = "utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    handle = io.BytesIO(data)
    handle.name = name
    return handle


@pytest.fixture
def quotas(office, small_definition, station_a, station_b):
    return make_quotas(office, small_definition, [station_a, station_b])


@pytest.fixture
def quota_a(quotas):
    return quotas[0]


@pytest.fixture
def quota_b(quotas):
    return quotas[1]


def url(name: str, quota) -> str:
    if name == "code-reissue":
        # The reissue of the quota's first invitation (any number when there is none).
        first = Invitation.objects.filter(wave=quota.wave, station=quota.station).first()
        return reverse(f"fieldwork:{name}", args=[quota.pk, first.pk if first else 1])
    return reverse(f"fieldwork:{name}", args=[quota.pk])


# --- who may do what --------------------------------------------------------------------

GET_PAGES = ["invitations", "poster-png", "poster-pdf"]
POSTS = {
    "roster-import": lambda: {"file": upload(ROSTER), "language": "zh-hans"},
    "codes-issue": lambda: {"count": "3"},
    "slips-print": lambda: {},
    "code-reissue": lambda: {},
    "invitations-send": lambda: {"language": "zh-hans"},
    "reminders-send": lambda: {"language": "zh-hans"},
    "open-link": lambda: {"enabled": "0"},
}


@pytest.mark.parametrize("name", GET_PAGES)
def test_other_stations_officer_gets_404_on_every_page(name, quota_a, officer_b):
    response = client_for(officer_b).get(url(name, quota_a))
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(POSTS))
def test_other_stations_officer_gets_404_on_every_action(name, quota_a, officer_b):
    person = Invitation.objects.create(
        wave=quota_a.wave, station=quota_a.station, channel=Channel.EMAIL, email="x@example.cn"
    )
    issue_code(person)
    generation = Invitation.objects.get(pk=person.pk).code_generation
    Invitation.objects.create(wave=quota_a.wave, station=quota_a.station, channel=Channel.PRINT)
    client = client_for(officer_b)  # logging in is audited too
    events = AuditEvent.objects.count()
    response = client.post(url(name, quota_a), POSTS[name]())
    assert response.status_code == 404
    assert Invitation.objects.count() == 2
    assert Invitation.objects.filter(token_hash__isnull=True).count() == 1  # no slip printed
    assert Invitation.objects.get(pk=person.pk).code_generation == generation  # no reissue
    assert AuditEvent.objects.count() == events
    assert StationQuota.objects.get(pk=quota_a.pk).open_link_enabled


@pytest.mark.parametrize("name", GET_PAGES + sorted(POSTS))
def test_leadership_is_forbidden(name, quota_a, leader):
    client = client_for(leader)
    response = client.post(url(name, quota_a)) if name in POSTS else client.get(url(name, quota_a))
    assert response.status_code == 403


@pytest.mark.parametrize("name", GET_PAGES + sorted(POSTS))
def test_anonymous_goes_to_login(name, quota_a):
    client = client_for(None)
    response = client.post(url(name, quota_a)) if name in POSTS else client.get(url(name, quota_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_own_officer_and_office_see_the_page(quota_a, officer_a, office, settings):
    """The page says who has a code, never which (codes are shown once, on the slips);
    each viewing is audited."""
    settings.LANGUAGE_CODE = "en"
    issued = svc.codes_issue(actor=office, quota=quota_a, count=2)
    Invitation.objects.create(wave=quota_a.wave, station=quota_a.station, channel=Channel.PRINT)
    for user in (officer_a, office):
        response = client_for(user).get(url("invitations", quota_a))
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count("<td>Issued") == 2 and '<td><span class="muted">Not' in html
        assert html.count(">Reissue</button>") == 2  # only for the issued codes
        for code in issued:
            assert len(code.display) == 11 and code.display[5] == "-"
            for secret in (code.display, code.short_code, code.token):
                assert secret not in html
    viewed = AuditEvent.objects.filter(action=AuditAction.VIEW, data__event="invitations_viewed")
    assert [e.actor for e in viewed.order_by("id")] == [officer_a, office]
    assert viewed.first().ip_address == "127.0.0.1"


def test_actions_are_post_only(quota_a, officer_a):
    response = client_for(officer_a).get(url("codes-issue", quota_a))
    assert response.status_code == 405


# --- roster import ---------------------------------------------------------------------


def test_import_creates_invitations_and_audits_counts_only(quota_a, officer_a):
    response = client_for(officer_a).post(
        url("roster-import", quota_a), {"file": upload(ROSTER), "language": "zh-hans"}
    )
    assert response.status_code == 302
    people = {inv.name: inv for inv in Invitation.objects.filter(station=quota_a.station)}
    assert set(people) == {"张三", "李四", "王五"}
    assert people["张三"].channel == Channel.EMAIL
    assert people["张三"].phone == "13800000001"  # separators dropped
    assert (people["张三"].title, people["张三"].age_group) == ("senior", "35-44")
    assert people["李四"].channel == Channel.PRINT
    assert (people["王五"].title, people["王五"].age_group) == ("associate", "55plus")
    # Importing issues no code: e-mailed codes are issued by the e-mail task, printed ones
    # when their slips are printed.
    assert all(inv.state == InvitationState.SENT and not inv.has_code for inv in people.values())
    event = AuditEvent.objects.get(action=AuditAction.CREATE, data__event="roster_import")
    assert event.data["created"] == 3 and event.data["email"] == 2 and event.data["print"] == 1
    trail = json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)
    for secret in ("张三", "zhangsan@example.cn", "13800000001", "wangwu"):
        assert secret not in trail


def test_broken_rows_are_all_listed_and_nothing_is_imported(quota_a, officer_a, settings):
    settings.LANGUAGE_CODE = "en"  # the assertions below read the English messages
    roster = (
        "name,email,phone,title,age_group\n"
        "Alice,alice@example.cn,,senior,lt35\n"  # row 2: fine
        "Bob,not-an-email,,,\n"  # row 3
        "Carol,carol@example.cn,,professor,\n"  # row 4
        ",,,,\n"  # row 5: blank between people
        ",,13900000000,,\n"  # row 6: only a phone
        "Dan,dan@example.cn,,,forty\n"  # row 7
        "Alice again,ALICE@example.cn,,,\n"  # row 8: duplicate, merged (not an error)
    )
    response = client_for(officer_a).post(
        url("roster-import", quota_a), {"file": upload(roster), "language": "en"}
    )
    assert response.status_code == 400
    rows = [e.row for e in response.context["row_errors"]]
    assert rows == [3, 4, 5, 6, 7]
    messages = {e.row: e.message for e in response.context["row_errors"]}
    assert "not-an-email" in messages[3]
    assert "professor" in messages[4]
    assert "forty" in messages[7]
    assert Invitation.objects.count() == 0
    assert not AuditEvent.objects.filter(data__event="roster_import").exists()
    assert "Nothing was imported" in response.content.decode()


def test_gbk_csv_is_accepted(quota_a, officer_a):
    response = client_for(officer_a).post(
        url("roster-import", quota_a),
        {"file": upload(ROSTER, encoding="gbk"), "language": "zh-hans"},
    )
    assert response.status_code == 302
    assert set(Invitation.objects.values_list("name", flat=True)) == {"张三", "李四", "王五"}


def test_xlsx_is_accepted(quota_a, officer_a):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "电子邮箱", "电话", "职称", "年龄组"])
    sheet.append(["赵六", "zhaoliu@example.cn", 13800000009, "初级", "45-54岁"])
    sheet.append(["钱七", None, None, "无", None])
    buffer = io.BytesIO()
    book.save(buffer)
    response = client_for(officer_a).post(
        url("roster-import", quota_a),
        {"file": upload(buffer.getvalue(), name="名单.xlsx"), "language": "zh-hans"},
    )
    assert response.status_code == 302
    zhao = Invitation.objects.get(name="赵六")
    assert (zhao.phone, zhao.title, zhao.age_group) == ("13800000009", "junior", "45-54")
    assert Invitation.objects.get(name="钱七").channel == Channel.PRINT


def test_duplicates_are_merged_in_the_file_and_against_earlier_imports(quota_a, officer_a):
    first = "name,email,phone\nA,a@example.cn,13800000001\nB,,13800000002\n"
    result = svc.roster_import(actor=officer_a, quota=quota_a, data=first.encode())
    assert (result.created, result.merged_in_file, result.merged_existing) == (2, 0, 0)
    second = (
        "name,email,phone\n"
        "A2,A@EXAMPLE.CN,\n"  # same e-mail as A (case differs): already invited
        "B2,b2@example.cn,138-0000-0002\n"  # same phone as B: already invited
        "C,c@example.cn,\n"
        "C twice,c@example.cn,13900000003\n"  # same e-mail as the row above
    )
    result = svc.roster_import(actor=officer_a, quota=quota_a, data=second.encode())
    assert (result.created, result.merged_in_file, result.merged_existing) == (1, 1, 2)
    c = Invitation.objects.get(email="c@example.cn")
    assert c.name == "C" and c.phone == "13900000003"  # the later row filled the blank
    assert Invitation.objects.count() == 3


def test_other_station_with_the_same_person_is_not_merged(quota_a, quota_b, officer_a, officer_b):
    data = b"name,email\nA,a@example.cn\n"
    svc.roster_import(actor=officer_a, quota=quota_a, data=data)
    result = svc.roster_import(actor=officer_b, quota=quota_b, data=data)
    assert result.created == 1


def test_too_large_file_is_refused(quota_a, officer_a):
    big = "name,email\n" + "x" * (2 * 1024 * 1024 + 1)
    response = client_for(officer_a).post(
        url("roster-import", quota_a), {"file": upload(big), "language": "en"}
    )
    assert response.status_code == 400
    assert "2 MB" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_unreadable_file_is_refused(quota_a, officer_a):
    response = client_for(officer_a).post(
        url("roster-import", quota_a),
        {"file": upload(b"PK\x03\x04garbage", name="x.xlsx"), "language": "en"},
    )
    assert response.status_code == 400
    assert "Excel" in response.content.decode()
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize("status", ["closed", "analysed"])
def test_closed_wave_refuses_every_change(
    status, office, small_definition, station_a, officer_a, settings
):
    settings.LANGUAGE_CODE = "en"  # the assertions below read the English messages
    (quota,) = make_quotas(office, small_definition, [station_a], status=status)
    client = client_for(officer_a)
    for name, data in POSTS.items():
        response = client.post(url(name, quota), data())
        assert response.status_code == 409, name
        assert "closed" in response.content.decode() or "open" in response.content.decode()
    assert Invitation.objects.count() == 0
    assert StationQuota.objects.get(pk=quota.pk).open_link_enabled
    assert client.get(url("poster-pdf", quota)).status_code == 409
    page = client.get(url("invitations", quota))
    assert page.status_code == 200
    assert 'id="roster-import"' not in page.content.decode()


def test_draft_wave_takes_imports(office, small_definition, station_a, officer_a):
    (quota,) = make_quotas(office, small_definition, [station_a], status="draft")
    result = svc.roster_import(actor=officer_a, quota=quota, data=ROSTER.encode())
    assert result.created == 3


# --- printed codes ---------------------------------------------------------------------


def test_issue_anonymous_printed_codes(quota_a, officer_a):
    response = client_for(officer_a).post(url("codes-issue", quota_a), {"count": "5"})
    # The issue answers with the slips to print (the one time the codes are shown).
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    codes = Invitation.objects.filter(station=quota_a.station)
    assert codes.count() == 5
    assert set(codes.values_list("channel", flat=True)) == {Channel.PRINT}
    assert not codes.exclude(name="", email="", phone="", title="", age_group="").exists()
    assert len(set(codes.values_list("code_hash", flat=True))) == 5
    assert len(set(codes.values_list("token_hash", flat=True))) == 5
    assert all(inv.has_code for inv in codes)
    event = AuditEvent.objects.get(data__event="codes_issued")
    assert event.data["count"] == 5 and event.actor == officer_a


@pytest.mark.parametrize("count", ["0", "201", "1001", "-3", "many"])
def test_issue_refuses_bad_counts(count, quota_a, officer_a):
    response = client_for(officer_a).post(url("codes-issue", quota_a), {"count": count})
    assert response.status_code == 400
    assert Invitation.objects.count() == 0


def test_issue_service_checks_bounds(quota_a, officer_a):
    from survey_platform.core.errors import ValidationFailed

    assert svc.MAX_CODES_PER_ISSUE == 200
    with pytest.raises(ValidationFailed):
        svc.codes_issue(actor=officer_a, quota=quota_a, count=svc.MAX_CODES_PER_ISSUE + 1)
    issued = svc.codes_issue(actor=officer_a, quota=quota_a, count=2)
    assert [len(code.short_code) for code in issued] == [10, 10]


def test_roster_slips_pdf_is_audited_and_leaves_out_emailed_people(quota_a, officer_a):
    """(Replaces the removed code sheet views.) The roster's people without e-mail get
    their slips once, as a PDF, with an audit record of the count; e-mailed people get
    no slip, and anonymous codes are printed when issued."""
    svc.codes_issue(actor=officer_a, quota=quota_a, count=3)
    roster = svc.roster_import(actor=officer_a, quota=quota_a, data=ROSTER.encode())
    assert (roster.by_email, roster.printed) == (2, 1)
    assert list(svc.unprinted_invitations(quota_a).values_list("name", flat=True)) == ["李四"]
    client = client_for(officer_a)
    response = client.post(url("slips-print", quota_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")
    assert Invitation.objects.get(name="李四").has_code
    assert not Invitation.objects.filter(channel=Channel.EMAIL, token_hash__isnull=False).exists()
    assert not svc.unprinted_invitations(quota_a).exists()
    printed = AuditEvent.objects.filter(data__event__in=["codes_issued", "slips_printed"])
    assert [(e.data["event"], e.data["count"]) for e in printed.order_by("id")] == [
        ("codes_issued", 3),
        ("slips_printed", 1),
    ]
    assert all(e.actor == officer_a for e in printed)
    assert client.post(url("slips-print", quota_a)).status_code == 409  # printed already


def test_roster_slips_come_in_parts_of_at_most_the_issue_limit(quota_a, officer_a, monkeypatch):
    """(Replaces the removed ?part= of the code sheet.) One PDF holds at most
    MAX_CODES_PER_ISSUE slips; the next click prints the rest."""
    monkeypatch.setattr(svc, "MAX_CODES_PER_ISSUE", 2)
    names = "".join(f"P{i},,1380000010{i}\n" for i in range(3))
    svc.roster_import(actor=officer_a, quota=quota_a, data=f"name,email,phone\n{names}".encode())
    client = client_for(officer_a)
    assert client.post(url("slips-print", quota_a)).status_code == 200
    assert svc.unprinted_invitations(quota_a).count() == 1
    assert client.post(url("slips-print", quota_a)).status_code == 200
    assert not svc.unprinted_invitations(quota_a).exists()
    counts = AuditEvent.objects.filter(data__event="slips_printed").order_by("id")
    assert [e.data["count"] for e in counts] == [2, 1]
    assert client.post(url("slips-print", quota_a)).status_code == 409


# --- open link -------------------------------------------------------------------------


def test_open_link_can_be_switched_off_and_on(quota_a, officer_a):
    client = client_for(officer_a)
    assert client.post(url("open-link", quota_a), {"enabled": "0"}).status_code == 302
    assert not StationQuota.objects.get(pk=quota_a.pk).open_link_enabled
    open_url = reverse("respondent-open", args=[quota_a.open_token])
    assert client_for(None).get(open_url).status_code == 404
    page = client.get(url("invitations", quota_a)).content.decode()
    assert open_url not in page
    assert client.post(url("open-link", quota_a), {"enabled": "1"}).status_code == 302
    assert StationQuota.objects.get(pk=quota_a.pk).open_link_enabled
    events = AuditEvent.objects.filter(data__event="open_link").order_by("id")
    assert [e.data["enabled"] for e in events] == [False, True]
    assert open_url in client.get(url("invitations", quota_a)).content.decode()


def test_page_shows_counts_by_state(quota_a, officer_a):
    svc.codes_issue(actor=officer_a, quota=quota_a, count=4)
    first, second, *_ = Invitation.objects.all()
    Invitation.objects.filter(pk=first.pk).update(state=InvitationState.COMPLETED)
    Invitation.objects.filter(pk=second.pk).update(state=InvitationState.STARTED)
    response = client_for(officer_a).get(url("invitations", quota_a))
    counts = response.context["counts"]
    assert (counts["sent"], counts["started"], counts["completed"]) == (2, 1, 1)
    assert response.context["unprinted"] == 0  # issued codes were printed when issued
    svc.roster_import(actor=officer_a, quota=quota_a, data=ROSTER.encode())
    response = client_for(officer_a).get(url("invitations", quota_a))
    assert response.context["counts"]["sent"] == 5
    assert response.context["unprinted"] == 1  # 李四, the one without an e-mail address
