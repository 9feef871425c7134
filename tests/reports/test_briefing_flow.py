"""Versions, approval, delivery, the portal and who may see what (fake PDFs: fast)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from reports import services
from reports.models import Briefing, BriefingStatus, IssueNumber
from survey_platform.core.errors import Conflict
from survey_platform.core.models import AuditAction, AuditEvent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a stand-in for a typeset briefing\n"
SUMMARY = {
    "wave": "2026-Q4",
    "top": [
        {
            "code": "G03",
            "label": {"zh-hans": "考核评价体系不合理", "en": "Unreasonable evaluation"},
            "share": 0.721,
            "series": [["2025-Q4", 0.70], ["2026-Q2", None], ["2026-Q4", 0.721]],
        }
    ],
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def record(wave, language="zh-hans", pdf=PDF):
    return services.briefing_record(
        job=None,
        wave=wave,
        language=language,
        number=services.issue_number_for(wave),
        title="考核评价体系不合理居科技工作者共性诉求首位",
        pdf=pdf,
        pages=7,
        summary=SUMMARY,
    )


def approve(b, office):
    return services.briefing_approve(briefing=b, actor=office)


def deliver(b, office, capture, recipients=("lingdao@example.cn",)):
    with capture(execute=True):
        services.briefing_deliver(
            briefing=b, actor=office, recipients=list(recipients), base_url="http://testserver/"
        )
    b.refresh_from_db()
    return b


def test_a_generated_briefing_never_changes(open_wave):
    first = record(open_wave)
    first.title = "另一个标题"
    with pytest.raises(Conflict):
        first.save()
    first = Briefing.objects.get(pk=first.pk)
    first.content_hash = "0" * 64
    with pytest.raises(Conflict):
        first.save()
    first = Briefing.objects.get(pk=first.pk)
    first.status = BriefingStatus.APPROVED  # the workflow fields may move
    first.save()
    second = record(open_wave, pdf=PDF + b"% corrected\n")
    assert (second.number, second.version) == (first.number, 2)
    assert Briefing.objects.get(pk=first.pk).pdf.read() == PDF
    assert second.content_hash != first.content_hash


def test_issue_numbers_are_unique_and_in_sequence(open_wave, office, published_version):
    from survey_platform.fieldwork.models import Wave

    other = Wave.objects.create(
        code="2027-Q1",
        title="下一轮",
        kind="quick",
        instrument_version=published_version,
        opens_at=open_wave.opens_at,
        closes_at=open_wave.closes_at,
    )
    assert services.issue_number_for(open_wave) == 1
    assert services.issue_number_for(other) == 2
    assert services.issue_number_for(open_wave) == 1
    assert record(open_wave, "en").number == record(open_wave).number == 1
    assert list(IssueNumber.objects.values_list("number", flat=True)) == [1, 2]


def test_approve_deliver_publish(open_wave, office, leader, django_capture_on_commit_callbacks):
    b = record(open_wave)
    assert client_for(leader).get(reverse("reports:pdf", args=[b.pk])).status_code == 404
    approve(b, office)
    assert AuditEvent.objects.filter(action=AuditAction.APPROVE, object_id=str(b.pk)).exists()
    b = deliver(b, office, django_capture_on_commit_callbacks, ["a@example.cn", "b@example.cn"])
    assert b.status == BriefingStatus.DELIVERED and b.delivered_at is not None
    (message,) = mail.outbox
    assert set(message.bcc) == {"a@example.cn", "b@example.cn"} and not message.to
    name, content, mimetype = message.attachments[0]
    assert content == PDF and mimetype == "application/pdf" and "第1期" in name
    assert "第1期" in message.subject and "内部资料" in message.subject
    assert AuditEvent.objects.filter(action=AuditAction.PUBLISH, object_id=str(b.pk)).exists()

    portal = client_for(leader).get(reverse("reports:portal"), HTTP_ACCEPT_LANGUAGE="en")
    html = portal.content.decode()
    assert portal.status_code == 200 and 'id="issue-1"' in html and "<polyline" in html
    assert "Unreasonable evaluation" in html and "72.1%" in html
    download = client_for(leader).get(reverse("reports:pdf", args=[b.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    events = AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, object_id=str(b.pk))
    assert events.filter(actor=leader).count() == 1
    home = client_for(leader).get(reverse("home")).content.decode()
    assert reverse("reports:pdf", args=[b.pk]) in home


def test_state_rules(open_wave, office, django_capture_on_commit_callbacks):
    old = record(open_wave)
    new = record(open_wave, pdf=PDF + b"% v2\n")
    with pytest.raises(Conflict, match="newer version"):
        approve(old, office)
    with pytest.raises(Conflict, match="approved briefing"):
        deliver(new, office, django_capture_on_commit_callbacks)
    approve(new, office)
    with pytest.raises(Conflict, match="draft"):
        approve(Briefing.objects.get(pk=new.pk), office)
    assert not mail.outbox


def test_a_tampered_file_is_not_passed_on(open_wave, office):
    b = record(open_wave)
    with open(b.pdf.path, "wb") as fh:
        fh.write(PDF.replace(b"stand-in", b"forgery!"))
    with pytest.raises(Conflict, match="checksum"):
        approve(b, office)
    response = client_for(office).get(reverse("reports:pdf", args=[b.pk]))
    assert response.status_code == 409
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_failed_delivery_keeps_its_reason(
    open_wave, office, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.mail import EmailMultiAlternatives

    def broken(self, *args, **kwargs):
        raise OSError("mail server unreachable")

    monkeypatch.setattr(EmailMultiAlternatives, "send", broken)
    b = approve(record(open_wave), office)
    b = deliver(b, office, django_capture_on_commit_callbacks)
    assert b.status == BriefingStatus.APPROVED and "unreachable" in b.delivery_error
    assert b.delivered_at is None


def test_office_pages(open_wave, office, django_capture_on_commit_callbacks, settings):
    settings.BRIEFING_MIN_RESPONSES = 0
    b = record(open_wave)
    client = client_for(office)
    listing = client.get(reverse("reports:list")).content.decode()
    assert f'id="briefing-{b.pk}"' in listing and open_wave.code in listing
    detail = client.get(reverse("reports:detail", args=[b.pk]))
    assert detail.status_code == 200 and b"?inline=1" in detail.content
    inline = client.get(reverse("reports:pdf", args=[b.pk]) + "?inline=1")
    assert inline["X-Frame-Options"] == "SAMEORIGIN" and "inline" in inline["Content-Disposition"]
    client.post(reverse("reports:approve", args=[b.pk]))
    client.cookies["django_language"] = "en"
    bad = client.post(reverse("reports:deliver", args=[b.pk]), {"recipients": "not-an-address"})
    assert bad.status_code == 200 and b"Not an e-mail address" in bad.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:deliver", args=[b.pk]), {"recipients": "x@example.cn"})
    assert Briefing.objects.get(pk=b.pk).status == BriefingStatus.DELIVERED
    start = client.post(reverse("reports:generate"), {"wave": open_wave.code, "language": "en"})
    assert start.status_code == 302 and "/jobs/" in start["Location"]


@pytest.mark.parametrize("who", ["leader", "officer_a", None])
def test_office_pages_refuse_everyone_else(request, open_wave, who):
    b = record(open_wave)
    user = request.getfixturevalue(who) if who else None
    client = client_for(user)
    for url, method in (
        (reverse("reports:list"), "get"),
        (reverse("reports:detail", args=[b.pk]), "get"),
        (reverse("reports:generate"), "post"),
        (reverse("reports:approve", args=[b.pk]), "post"),
        (reverse("reports:deliver", args=[b.pk]), "post"),
    ):
        status = getattr(client, method)(url).status_code
        assert status == (302 if user is None else 403), (url, status)
    assert Briefing.objects.get(pk=b.pk).status == BriefingStatus.DRAFT


def test_station_staff_see_no_briefing(
    open_wave, office, officer_a, django_capture_on_commit_callbacks
):
    b = deliver(approve(record(open_wave), office), office, django_capture_on_commit_callbacks)
    client = client_for(officer_a)
    assert client.get(reverse("reports:pdf", args=[b.pk])).status_code == 403
    assert client.get(reverse("reports:portal")).status_code == 403
