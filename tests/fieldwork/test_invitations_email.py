"""Invitation and reminder e-mails: content in both languages, idempotent sending,
reminders only to non-respondents. Tasks run inline (ImmediateBackend in test settings)."""

from __future__ import annotations

import re

import pytest
from django.tasks import TaskResultStatus
from django.urls import reverse

from survey_platform.core.errors import Conflict, ValidationFailed
from survey_platform.core.models import AuditEvent
from survey_platform.core.tasks import settled
from survey_platform.fieldwork import codes
from survey_platform.fieldwork import invitations as svc
from survey_platform.fieldwork.models import Channel, Invitation, InvitationState
from survey_platform.fieldwork.tasks import (
    compose_email,
    send_invitation_emails,
    send_reminder_emails,
)
from tests.conftest import client_for
from tests.fieldwork.fixtures import issue_code
from tests.fieldwork.test_invitations import make_quotas, upload, url

pytestmark = pytest.mark.django_db

BASE = "http://testserver/"
ROSTER = "姓名,邮箱\n张三,zhangsan@example.cn\n李四,lisi@example.cn\n王五,\n"


@pytest.fixture
def quota_a(office, small_definition, station_a, station_b):
    return make_quotas(office, small_definition, [station_a, station_b])[0]


def _import(quota, user, language="zh-hans", send=True):
    data = {"file": upload(ROSTER), "language": language}
    if send:
        data["send_emails"] = "on"
    response = client_for(user).post(url("roster-import", quota), data)
    assert response.status_code == 302
    return response


def _body(message) -> str:
    return message.body + message.alternatives[0].content


def _code_in(text: str) -> tuple[str, str]:
    """The link token and the short code an e-mail carries (they are stored nowhere)."""
    (token,) = set(re.findall(r"/a/([A-Za-z0-9_-]+)/", text))
    (short,) = set(re.findall(r"\b[A-Z0-9]{5}-[A-Z0-9]{5}\b", text))
    return token, short


def _opens(token: str, short: str):
    """The invitation both codes open (asserting they open the same one)."""
    by_token = codes.invitation_by_token(token)
    assert by_token is not None and codes.invitation_by_short_code(short) == by_token
    return by_token


def test_import_sends_invitation_emails_in_chinese(quota_a, officer_a, mailoutbox):
    _import(quota_a, officer_a)
    assert sorted(m.to[0] for m in mailoutbox) == ["lisi@example.cn", "zhangsan@example.cn"]
    zhang = Invitation.objects.get(name="张三")
    message = next(m for m in mailoutbox if m.to == ["zhangsan@example.cn"])
    token, short = _code_in(message.body)
    assert _opens(token, short) == zhang  # the e-mail's fresh code is this person's
    link = "http://testserver" + reverse("respondent-start", args=[token])
    assert "2026年测试调查" in message.subject and "\n" not in message.subject
    for part in (message.body, message.alternatives[0].content):
        assert link in part
        assert short in part
        assert "http://testserver/code/" in part
        assert "张三" in part
        assert "匿名" in part
    assert message.alternatives[0].mimetype == "text/html"
    assert message.from_email
    # Each invitation is marked as e-mailed; the audit entry counts, holding no contact data.
    assert Invitation.objects.filter(email_sent=True).count() == 2
    event = AuditEvent.objects.get(data__event="invitation_emails_sent")
    assert event.actor == officer_a and event.data["count"] == 2
    assert "zhangsan" not in str(list(AuditEvent.objects.values_list("data", "object_repr")))


def test_english_email(quota_a, officer_a, mailoutbox):
    _import(quota_a, officer_a, language="en")
    message = next(m for m in mailoutbox if m.to == ["lisi@example.cn"])
    lisi = Invitation.objects.get(name="李四")
    assert "Test survey 2026" in message.subject
    body = _body(message)
    assert "Dear 李四" in body
    token, short = _code_in(body)
    assert _opens(token, short) == lisi
    assert reverse("respondent-start", args=[token]) in body
    assert short in body
    assert "anonymous" in body


def test_import_without_sending_then_send_button(quota_a, officer_a, mailoutbox):
    _import(quota_a, officer_a, send=False)
    assert mailoutbox == []
    page = client_for(officer_a).get(url("invitations", quota_a))
    assert page.context["unsent"] == 2
    response = client_for(officer_a).post(url("invitations-send", quota_a), {"language": "en"})
    assert response.status_code == 302
    assert len(mailoutbox) == 2
    # Pressing the button again sends nothing: everyone has had the invitation.
    client_for(officer_a).post(url("invitations-send", quota_a), {"language": "en"})
    assert len(mailoutbox) == 2
    assert client_for(officer_a).get(url("invitations", quota_a)).context["unsent"] == 0


def test_invitation_task_enqueued_twice_sends_once(quota_a, officer_a, mailoutbox):
    _import(quota_a, officer_a, send=False)
    ids = list(Invitation.objects.exclude(email="").values_list("pk", flat=True))
    first = settled(send_invitation_emails.enqueue(ids, BASE, "zh-hans", officer_a.pk))
    second = settled(send_invitation_emails.enqueue(ids, BASE, "zh-hans", officer_a.pk))
    assert first.status == second.status == TaskResultStatus.SUCCESSFUL
    assert (first.return_value, second.return_value) == (2, 0)
    assert len(mailoutbox) == 2


def test_failed_send_can_be_retried(quota_a, officer_a, mailoutbox, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    _import(quota_a, officer_a, send=False)
    ids = list(Invitation.objects.exclude(email="").values_list("pk", flat=True))

    def broken(self, *args, **kwargs):
        raise OSError("SMTP server down")

    with monkeypatch.context() as patch:
        patch.setattr(EmailMultiAlternatives, "send", broken)
        result = settled(send_invitation_emails.enqueue(ids, BASE, "zh-hans", officer_a.pk))
    assert result.status == TaskResultStatus.FAILED
    assert not Invitation.objects.filter(email_sent=True).exists()  # the claim rolled back
    assert settled(send_invitation_emails.enqueue(ids, BASE, "zh-hans", None)).return_value == 2
    assert len(mailoutbox) == 2


def test_reminders_go_only_to_non_respondents(quota_a, officer_a, mailoutbox):
    svc.roster_import(
        actor=officer_a,
        quota=quota_a,
        data=(
            b"name,email\nSent,s@example.cn\nOpened,o@example.cn\nStarted,st@example.cn\n"
            b"Done,d@example.cn\nGone,g@example.cn\nPaper,\n"
        ),
    )
    states = {
        "Opened": InvitationState.OPENED,
        "Started": InvitationState.STARTED,
        "Done": InvitationState.COMPLETED,
        "Gone": InvitationState.EXPIRED,
    }
    for name, state in states.items():
        Invitation.objects.filter(name=name).update(state=state)
    response = client_for(officer_a).post(url("reminders-send", quota_a), {"language": "zh-hans"})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mailoutbox) == ["o@example.cn", "s@example.cn", "st@example.cn"]
    message = next(m for m in mailoutbox if m.to == ["s@example.cn"])
    sent = Invitation.objects.get(name="Sent")
    assert "提醒" in message.subject
    token, short = _code_in(message.body)
    assert _opens(token, short) == sent
    assert token in message.body and short in message.body
    # Every reminder carries a code of its own person.
    for other in mailoutbox:
        assert _opens(*_code_in(other.body)).email == other.to[0]
    counts = dict(Invitation.objects.values_list("name", "reminders_sent"))
    assert counts == {"Sent": 1, "Opened": 1, "Started": 1, "Done": 0, "Gone": 0, "Paper": 0}
    assert AuditEvent.objects.filter(data__event="reminders_queued", data__count=3).exists()


def test_reminder_enqueued_twice_sends_once(quota_a, officer_a, mailoutbox):
    svc.roster_import(actor=officer_a, quota=quota_a, data=b"name,email\nA,a@example.cn\n")
    invitation = Invitation.objects.get()
    items = [[invitation.pk, 1]]
    assert settled(send_reminder_emails.enqueue(items, BASE, "en", officer_a.pk)).return_value == 1
    assert settled(send_reminder_emails.enqueue(items, BASE, "en", officer_a.pk)).return_value == 0
    assert len(mailoutbox) == 1
    assert "Reminder" in mailoutbox[0].subject
    # The next round is a new reminder; the cap stops the fourth.
    for _round in range(3):
        svc.reminders_enqueue(actor=officer_a, quota=quota_a, base_url=BASE, language="en")
    invitation.refresh_from_db()
    assert invitation.reminders_sent == svc.MAX_REMINDERS
    assert len(mailoutbox) == svc.MAX_REMINDERS
    # Each reminder carries a fresh code that replaces the one before.
    sent = [_code_in(m.body) for m in mailoutbox]
    assert len({token for token, _short in sent}) == len(sent)
    assert _opens(*sent[-1]) == invitation
    assert all(codes.invitation_by_token(token) is None for token, _short in sent[:-1])


def test_reminder_not_sent_once_completed(quota_a, officer_a, mailoutbox):
    svc.roster_import(actor=officer_a, quota=quota_a, data=b"name,email\nA,a@example.cn\n")
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(state=InvitationState.COMPLETED)
    assert (
        settled(send_reminder_emails.enqueue([[invitation.pk, 1]], BASE, "en", None)).return_value
        == 0
    )
    assert mailoutbox == []


def test_reminders_need_an_open_wave(office, small_definition, station_a, officer_a, mailoutbox):
    (draft,) = make_quotas(office, small_definition, [station_a], status="draft")
    svc.roster_import(actor=officer_a, quota=draft, data=b"name,email\nA,a@example.cn\n")
    with pytest.raises(Conflict):
        svc.reminders_enqueue(actor=officer_a, quota=draft, base_url=BASE, language="en")
    response = client_for(officer_a).post(url("reminders-send", draft), {"language": "en"})
    assert response.status_code == 409
    assert mailoutbox == []
    assert Invitation.objects.get().reminders_sent == 0


def test_bad_language_is_refused(quota_a, officer_a, mailoutbox):
    with pytest.raises(ValidationFailed):
        svc.reminders_enqueue(actor=officer_a, quota=quota_a, base_url=BASE, language="fr")
    response = client_for(officer_a).post(url("reminders-send", quota_a), {"language": "fr"})
    assert response.status_code == 400
    assert mailoutbox == []


def test_compose_refuses_unknown_kind(quota_a, officer_a):
    svc.roster_import(actor=officer_a, quota=quota_a, data=b"name,email\nA,a@example.cn\n")
    with pytest.raises(ValueError):
        compose_email(issue_code(Invitation.objects.get()), "spam", BASE, "en")


def test_printed_codes_get_no_email(quota_a, officer_a, mailoutbox):
    svc.codes_issue(actor=officer_a, quota=quota_a, count=3)
    assert svc.unsent_email_invitations(quota_a) == []
    assert not Invitation.objects.filter(channel=Channel.EMAIL).exists()
    assert svc.reminders_enqueue(actor=officer_a, quota=quota_a, base_url=BASE, language="en") == 0
    assert mailoutbox == []


def test_subject_and_text_are_not_html_escaped(quota_a, officer_a):
    from survey_platform.fieldwork.models import Wave

    Wave.objects.filter(pk=quota_a.wave_id).update(title_en="S&T <quick> survey")
    svc.roster_import(actor=officer_a, quota=quota_a, data=b"name,email\nO'Brien,o@example.cn\n")
    invitation = Invitation.objects.select_related("wave").get()
    message = compose_email(issue_code(invitation), "invitation", BASE, "en")
    assert "S&T <quick> survey" in message.subject
    assert "O'Brien" in message.body and "S&T <quick> survey" in message.body
    assert "S&amp;T &lt;quick&gt; survey" in message.alternatives[0].content
