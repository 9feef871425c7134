"""Answer codes are credentials nobody can recover (fieldwork/codes.py): stored as keyed
hashes only, shown once where they are handed over, replaced but never shown again; the
respondent's later requests carry a server-signed key instead. Station staff cannot act
as a named respondent, and the open link cannot be stuffed."""

from __future__ import annotations

import hashlib
import hmac
import io
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from survey_platform.core.models import AuditAction, AuditEvent
from survey_platform.fieldwork import codes, respondent_entry
from survey_platform.fieldwork import invitations as svc
from survey_platform.fieldwork import services as wave_services
from survey_platform.fieldwork.models import Channel, Invitation, Response, StationQuota
from tests.conftest import client_for

from .test_invitations import make_quotas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits():
    cache.clear()
    yield


@pytest.fixture
def quota(office, small_definition, station_a, station_b):
    return make_quotas(office, small_definition, [station_a, station_b])[0]


def slips_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def link_token(body: str) -> str:
    return re.search(r"/a/([A-Za-z0-9_-]+)/", body).group(1)


def email_invitations(quota, office) -> str:
    """Send the quota's invitation e-mails; the link token of the first one."""
    svc.invitation_emails_enqueue(
        actor=office, quota=quota, base_url="http://testserver", language="zh-hans"
    )
    return link_token(mail.outbox[0].body)


def state_of(html: str) -> str:
    return re.search(r'name="form_state" value="([^"]+)"', html).group(1)


def answer_page_a(client: Client, value: str = "1", extra: dict | None = None) -> None:
    page = client.get("/answer/A/")
    assert page.status_code == 200
    data = {"A1": value, "form_state": state_of(page.content.decode()), "action": "next"}
    client.post("/answer/A/", {**data, **(extra or {})})


# --- stored as hashes, shown once ---------------------------------------------------------


def test_a_code_is_stored_only_as_a_keyed_hash(quota, office, settings):
    issued = svc.codes_issue(actor=office, quota=quota, count=3)
    for code in issued:
        row = Invitation.objects.filter(pk=code.invitation.pk).values().get()
        assert code.token not in str(row) and code.short_code not in str(row)
        key = settings.ANSWER_CODE_KEY.encode()
        expected = hmac.new(key, f"token:{code.token}".encode(), hashlib.sha256).hexdigest()
        assert row["token_hash"] == expected
        assert codes.invitation_by_token(code.token) == code.invitation
        assert codes.invitation_by_short_code(code.display.lower()) == code.invitation
    # Keyed: with another key (a stolen database without the settings) nothing matches.
    settings.ANSWER_CODE_KEY = "another-key"
    assert codes.invitation_by_token(issued[0].token) is None


def test_no_stored_value_anywhere_holds_a_code(quota, office):
    issued = svc.codes_issue(actor=office, quota=quota, count=5)
    dump = io.StringIO()
    # Every table of the project's own apps and Django's (django_rq keeps none).
    call_command("dumpdata", exclude=["django_rq"], stdout=dump)
    text = dump.getvalue()
    for code in issued:
        assert code.token not in text and code.short_code not in text


def test_the_slips_pdf_is_the_one_place_codes_appear(quota, officer_a):
    client = client_for(officer_a)
    response = client.post(reverse("fieldwork:codes-issue", args=[quota.pk]), {"count": "4"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = slips_text(response.content)
    found = re.findall(r"[A-Z0-9]{5}-[A-Z0-9]{5}", text)
    assert len(set(found)) == 4
    invitations = Invitation.objects.filter(wave=quota.wave, station=quota.station)
    assert invitations.count() == 4 and all(inv.has_code for inv in invitations)
    assert all(codes.invitation_by_short_code(c) is not None for c in found)
    page = client.get(reverse("fieldwork:invitations", args=[quota.pk])).content.decode()
    api = client.get(f"/api/v1/quotas/{quota.pk}/invitations/").content.decode()
    for code in found:
        assert code not in page and code.replace("-", "") not in page
        assert code not in api and code.replace("-", "") not in api
    assert AuditEvent.objects.filter(data__event="codes_issued").count() == 1


def test_too_many_codes_at_once_are_refused_and_nothing_is_issued(quota, officer_a):
    client = client_for(officer_a)
    url = reverse("fieldwork:codes-issue", args=[quota.pk])
    response = client.post(url, {"count": str(svc.MAX_CODES_PER_ISSUE + 1)})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_viewing_the_invitations_page_is_audited(quota, officer_a):
    client_for(officer_a).get(reverse("fieldwork:invitations", args=[quota.pk]))
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert event.actor == officer_a and event.data["event"] == "invitations_viewed"


def test_roster_slips_are_printed_once_then_refused(quota, officer_a, office):
    people = [
        Invitation(wave=quota.wave, station=quota.station, channel=Channel.PRINT, name=f"人{i}")
        for i in range(3)
    ]
    Invitation.objects.bulk_create(people)
    client = client_for(officer_a)
    url = reverse("fieldwork:slips-print", args=[quota.pk])
    first = client.post(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert len(set(re.findall(r"[A-Z0-9]{5}-[A-Z0-9]{5}", slips_text(first.content)))) == 3
    again = client.post(url)
    assert again.status_code == 409  # nothing left to print: reissue one by one instead


# --- staff cannot answer for a person ----------------------------------------------------


def test_station_staff_cannot_read_or_submit_a_persons_answers(quota, officer_a, office):
    person = Invitation.objects.create(
        wave=quota.wave, station=quota.station, channel=Channel.EMAIL, name="张三",
        email="zhangsan@example.cn",
    )  # fmt: skip
    token = email_invitations(quota, office)
    respondent = Client()
    respondent.get(f"/a/{token}/")
    answer_page_a(respondent, "1", {"A2": "3"})
    assert Response.objects.get().answers["A1"] == "1"
    # Everything the officer can open: the page, every listing, the API.
    staff = client_for(officer_a)
    seen = staff.get(reverse("fieldwork:invitations", args=[quota.pk])).content.decode()
    seen += staff.get(f"/api/v1/quotas/{quota.pk}/invitations/").content.decode()
    assert token not in seen
    person.refresh_from_db()
    assert person.token_hash and person.token_hash not in seen


# --- reissue -----------------------------------------------------------------------------


def test_a_printed_reissue_ends_old_sessions_and_opens_no_saved_answers(quota, officer_a):
    invitation = Invitation.objects.create(
        wave=quota.wave, station=quota.station, channel=Channel.PRINT, name="赵六"
    )
    old = codes.codes_issue_for([invitation], revoke_sessions=False)[0]
    respondent = Client()
    respondent.get(f"/a/{old.token}/")
    answer_page_a(respondent, "1", {"A2": "3"})
    response = client_for(officer_a).post(
        reverse("fieldwork:code-reissue", args=[quota.pk, invitation.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    new = re.findall(r"[A-Z0-9]{5}-[A-Z0-9]{5}", slips_text(response.content))
    assert len(new) == 1 and new[0] != old.display
    # The old slip and the session opened with it are dead.
    assert respondent.get("/answer/A/").status_code == 404
    assert Client().get(f"/a/{old.token}/").status_code == 404
    # The officer printed the new code for a named person: it must not open that
    # person's saved answers. It starts afresh; the saved answers stay stored, cut loose.
    holder = Client()
    assert holder.post("/code/", {"code": new[0]}).status_code == 302
    page = holder.get("/answer/A/").content.decode()
    assert "checked" not in page
    saved = Response.objects.get()
    assert saved.answers["A2"] == 3 and saved.resume_hash is None
    event = AuditEvent.objects.get(data__event="code_reissued")
    assert event.actor == officer_a and event.data["invitation"] == invitation.pk
    assert event.data["fresh_start"] is True
    assert old.token not in str(event.data) and new[0] not in str(event.data)


def test_an_emailed_reissue_keeps_the_saved_answers(quota, officer_a, office):
    invitation = Invitation.objects.create(
        wave=quota.wave, station=quota.station, channel=Channel.EMAIL, email="qian@example.cn"
    )
    first = email_invitations(quota, office)
    respondent = Client()
    respondent.get(f"/a/{first}/")
    answer_page_a(respondent, "1", {"A2": "3"})
    client_for(officer_a).post(reverse("fieldwork:code-reissue", args=[quota.pk, invitation.pk]))
    assert respondent.get("/answer/A/").status_code == 404  # sessions of the old code end
    second = link_token(mail.outbox[1].body)
    again = Client()
    again.get(f"/a/{second}/")
    assert 'value="1" checked' in again.get("/answer/A/").content.decode()
    assert Response.objects.count() == 1


def test_reissue_of_an_emailed_code_sends_it_to_the_person_only(quota, officer_a, office):
    invitation = Invitation.objects.create(
        wave=quota.wave, station=quota.station, channel=Channel.EMAIL, email="li@example.cn"
    )
    first = email_invitations(quota, office)
    response = client_for(officer_a).post(
        reverse("fieldwork:code-reissue", args=[quota.pk, invitation.pk]), follow=True
    )
    assert response.status_code == 200
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["li@example.cn"]
    second = link_token(mail.outbox[1].body)
    assert second != first and second not in response.content.decode()
    assert Client().get(f"/a/{first}/").status_code == 404
    assert Client().get(f"/a/{second}/").status_code == 302


def test_a_reminder_replaces_the_link_but_not_the_session(quota, office):
    invitation = Invitation.objects.create(
        wave=quota.wave, station=quota.station, channel=Channel.EMAIL, email="wu@example.cn"
    )
    first = email_invitations(quota, office)
    respondent = Client()
    respondent.get(f"/a/{first}/")
    answer_page_a(respondent, "2")
    svc.reminders_enqueue(actor=office, quota=quota, base_url="http://testserver", language="en")
    reminder = mail.outbox[1].body
    second = link_token(reminder)
    assert second != first and "replace" in reminder
    assert respondent.get("/answer/A/").status_code == 200  # still answering
    assert Client().get(f"/a/{first}/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.reminders_sent == 1


def test_someone_who_has_answered_gets_no_new_code(quota, officer_a):
    invitation = Invitation.objects.create(
        wave=quota.wave, station=quota.station, channel=Channel.PRINT, state="completed"
    )
    url = reverse("fieldwork:code-reissue", args=[quota.pk, invitation.pk])
    assert client_for(officer_a).post(url).status_code == 409


def test_no_new_code_once_the_wave_is_closed(quota, officer_a, office):
    invitation = Invitation.objects.create(
        wave=quota.wave, station=quota.station, channel=Channel.PRINT
    )
    wave_services.wave_close(actor=office, wave=quota.wave)
    url = reverse("fieldwork:code-reissue", args=[quota.pk, invitation.pk])
    assert client_for(officer_a).post(url).status_code == 409
    issue = reverse("fieldwork:codes-issue", args=[quota.pk])
    assert client_for(officer_a).post(issue, {"count": "2"}).status_code == 409
    assert not Invitation.objects.get(pk=invitation.pk).has_code
    assert Invitation.objects.count() == 1


def test_another_stations_officer_cannot_reissue(quota, officer_b):
    invitation = Invitation.objects.create(
        wave=quota.wave, station=quota.station, channel=Channel.PRINT
    )
    url = reverse("fieldwork:code-reissue", args=[quota.pk, invitation.pk])
    assert client_for(officer_b).post(url).status_code == 404
    assert not Invitation.objects.get(pk=invitation.pk).has_code


# --- keys: signed by the server, ended with the wave ---------------------------------------


def test_a_forged_or_altered_key_is_refused(quota):
    invitation = Invitation.objects.create(
        wave=quota.wave, station=quota.station, channel=Channel.PRINT
    )
    good = codes.invitation_key(invitation)
    client = Client()
    for bad in ("", "x", good[:-2] + "AA", good.replace(":", ";", 1)):
        client.cookies["sv_respondent"] = bad
        assert client.get("/answer/").status_code == 404
    assert codes.read_key(good) is not None


def test_codes_and_resume_hashes_end_with_the_wave(quota, office):
    invitation = Invitation.objects.create(
        wave=quota.wave, station=quota.station, channel=Channel.PRINT
    )
    code = codes.codes_issue_for([invitation], revoke_sessions=False)[0]
    client = Client()
    client.get(f"/a/{code.token}/")
    answer_page_a(client, "2")
    assert Response.objects.get().resume_hash
    wave_services.wave_close(actor=office, wave=quota.wave)
    invitation.refresh_from_db()
    assert invitation.token_hash is None and invitation.code_hash is None
    assert Response.objects.get().resume_hash is None


def test_the_purge_clears_resume_hashes_of_waves_that_ended_by_the_clock(quota):
    from datetime import timedelta

    from django.utils import timezone

    Response.objects.create(
        wave=quota.wave, station=quota.station, instrument_version=quota.wave.instrument_version,
        resume_hash="f" * 64,
    )  # fmt: skip
    quota.wave.__class__.objects.filter(pk=quota.wave.pk).update(
        closes_at=timezone.now() - timedelta(hours=1)
    )
    svc.rosters_purge()
    assert Response.objects.get().resume_hash is None


# --- the open link -----------------------------------------------------------------------


def test_open_link_keys_are_made_by_the_server(quota):
    client = Client()
    client.cookies["sv_respondent"] = "my-own-choice-of-key-0000000000"
    response = client.get(f"/s/{quota.open_token}/")
    assert response.status_code == 302 and response["Location"] == "/answer/A/"
    key = client.cookies["sv_respondent"].value
    claims = codes.read_key(key)
    assert claims is not None and claims.quota_id == quota.pk
    assert "my-own-choice" not in key
    # The same browser keeps its key; the API gives it back unchanged.
    client.get(f"/s/{quota.open_token}/")
    assert client.cookies["sv_respondent"].value == key


def test_scripted_open_link_starts_hit_a_limit_and_take_no_place(quota):
    limit = respondent_entry.OPEN_KEYS_PER_ADDRESS[0]
    for _ in range(limit):
        assert Client().get(f"/s/{quota.open_token}/").status_code == 302
    refused = Client().get(f"/s/{quota.open_token}/")
    assert refused.status_code == 429
    api = Client().post(f"/api/v1/respondent/open/{quota.open_token}/")
    assert api.status_code == 429
    # Another address still gets in, and no place of the quota was taken.
    assert Client(REMOTE_ADDR="203.0.113.9").get(f"/s/{quota.open_token}/").status_code == 302
    assert StationQuota.objects.get(pk=quota.pk).completes == 0


def test_typed_codes_are_rate_limited(quota):
    client = Client()
    limit = respondent_entry.CODE_PER_ADDRESS[0]
    statuses = [
        client.post("/code/", {"code": f"AAAAA-AAA{i:02d}"}).status_code for i in range(limit + 1)
    ]
    assert statuses[:limit] == [404] * limit and statuses[-1] == 429


def test_api_session_from_a_code_then_the_key_in_a_header(quota):
    invitation = Invitation.objects.create(
        wave=quota.wave, station=quota.station, channel=Channel.PRINT
    )
    code = codes.codes_issue_for([invitation], revoke_sessions=False)[0]
    client = Client()
    started = client.post(
        "/api/v1/respondent/session/", {"code": code.display}, content_type="application/json"
    )
    assert started.status_code == 201
    key = started.json()["key"]
    form = Client().get("/api/v1/respondent/form/", HTTP_X_RESPONDENT_KEY=key)
    assert form.status_code == 200 and form.json()["status"] == "new"
    assert Client().get("/api/v1/respondent/form/").status_code == 404
    wrong = Client().post(
        "/api/v1/respondent/session/", {"code": "AAAAA-AAAAA"}, content_type="application/json"
    )
    assert wrong.status_code == 404
