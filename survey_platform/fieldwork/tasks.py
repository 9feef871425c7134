"""Background tasks: invitation and reminder e-mails.

Tasks take ids and plain values (they are stored as JSON by the database backend) and
are idempotent per invitation and kind: each send first *claims* the invitation inside a
transaction — the invitation e-mail by writing its audit marker under a row lock, a
reminder by moving ``reminders_sent`` from round - 1 to round with a conditional UPDATE —
and a failed send rolls the claim back, so a later run can try again.

Each e-mail carries a code issued in the same transaction (codes.py): the plaintext exists
only in this task's memory and in the message. A reminder's code replaces the earlier one
but leaves the respondent's open sessions and saved answers alone.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from survey_platform.core.audit import audit
from survey_platform.core.models import AuditAction

from .codes import IssuedCode, codes_issue_for
from .invitations import (
    EMAIL_LANGUAGES,
    NON_RESPONDENT_STATES,
)
from .models import Invitation, Wave, WaveStatus

EMAIL_KINDS = ("invitation", "reminder")


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def compose_email(
    code: IssuedCode, kind: str, base_url: str, language: str
) -> EmailMultiAlternatives:
    """The message for one invitation and its fresh code, from ``language``'s templates."""
    if kind not in EMAIL_KINDS or language not in EMAIL_LANGUAGES:
        raise ValueError(f"unknown e-mail {kind!r} in {language!r}")
    invitation = code.invitation
    wave = invitation.wave
    context = {
        "name": invitation.name,
        "station": invitation.station.name,
        "wave_title": (wave.title_en or wave.title) if language == "en" else wave.title,
        "closes_at": wave.closes_at,
        "opens_at": wave.opens_at,
        "link": absolute(base_url, reverse("respondent-start", args=[code.token])),
        "code": code.display,
        "code_url": absolute(base_url, reverse("respondent-code")),
        "issuing_body": settings.ISSUING_BODY,
    }
    prefix = f"fieldwork/email/{kind}.{language}"
    with translation.override(language):
        subject = render_to_string(f"{prefix}.subject.txt", context)
        text = render_to_string(f"{prefix}.txt", context)
        html = render_to_string(f"{prefix}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # a header: one line
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
    )
    message.attach_alternative(html, "text/html")
    return message


def _actor(actor_id: int | None) -> Any:
    if actor_id is None:
        return None
    return get_user_model().objects.filter(pk=actor_id).first()


def _sendable(ids: list[int]) -> dict[int, Invitation]:
    rows = (
        Invitation.objects.select_related("wave", "station")
        .filter(pk__in=ids, state__in=NON_RESPONDENT_STATES, wave__status=WaveStatus.OPEN)
        .exclude(email="")
    )
    # Invitations may go out before the wave opens, reminders only while it is open.
    return {inv.pk: inv for inv in rows}


@task()
def send_invitation_emails(
    invitation_ids: list[int], base_url: str, language: str, actor_id: int | None = None
) -> int:
    """Send the invitation e-mail to each listed invitation that has not had it yet."""
    sent = 0
    for pk in invitation_ids:
        with transaction.atomic():
            # Claim first with a conditional UPDATE: of two workers given the same id,
            # only one sends. If sending raises, the claim is rolled back for a retry.
            claimed = (
                Invitation.objects.filter(
                    pk=pk,
                    email_sent=False,
                    state__in=NON_RESPONDENT_STATES,
                    wave__status__in=(WaveStatus.DRAFT, WaveStatus.OPEN),
                )
                .exclude(email="")
                .update(email_sent=True)
            )
            if not claimed:
                continue
            invitation = Invitation.objects.select_related("wave", "station").get(pk=pk)
            code = codes_issue_for([invitation], revoke_sessions=False)[0]
            compose_email(code, "invitation", base_url, language).send()
            sent += 1
    if sent:
        wave = Invitation.objects.select_related("wave").get(pk=invitation_ids[0]).wave
        audit(
            AuditAction.UPDATE,
            actor=_actor(actor_id),
            actor_repr="" if actor_id else "tasks",
            obj=wave,
            data={"event": "invitation_emails_sent", "count": sent},
        )
    return sent


@task()
def send_reminder_emails(
    items: list[list[int]], base_url: str, language: str, actor_id: int | None = None
) -> int:
    """``items`` are [invitation id, reminder round] pairs; see invitations.reminders_enqueue."""
    rounds = {int(pk): int(round_) for pk, round_ in items}
    invitations = _sendable(list(rounds))
    sent = 0
    waves: set[Wave] = set()
    for pk, round_ in rounds.items():
        invitation = invitations.get(pk)
        if invitation is None:
            continue
        with transaction.atomic():
            claimed = Invitation.objects.filter(
                pk=pk, reminders_sent=round_ - 1, state__in=NON_RESPONDENT_STATES
            ).update(reminders_sent=F("reminders_sent") + 1)
            if not claimed:
                continue
            code = codes_issue_for([invitation], revoke_sessions=False)[0]
            compose_email(code, "reminder", base_url, language).send()
        sent += 1
        waves.add(invitation.wave)
    actor = _actor(actor_id)
    for wave in waves:
        audit(
            AuditAction.UPDATE,
            actor=actor,
            actor_repr="" if actor else "tasks",
            obj=wave,
            data={"event": "reminders_sent", "count": sent},
        )
    return sent
