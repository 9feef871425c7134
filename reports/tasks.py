"""Background delivery of an approved briefing: e-mail the PDF, then publish it.

Idempotent: the task first *claims* the briefing with a conditional UPDATE (approved →
delivering), so of two workers handed the same id only one sends. A failed send puts it
back to approved with the reason in ``delivery_error`` (the office sees it and may try
again); only a sent briefing becomes delivered and appears in the leadership portal.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from survey_platform.core.audit import audit
from survey_platform.core.models import AuditAction

from .models import Briefing, BriefingStatus
from .phrases import Phrases
from .services import briefing_pdf_bytes


def compose_delivery(briefing: Briefing, pdf: bytes, base_url: str) -> EmailMultiAlternatives:
    ph = Phrases(briefing.language)
    context = {
        "b": briefing,
        "series": ph("series"),
        "issue": ph("issue", number=briefing.number),
        "marking": ph("marking"),
        "issuer": settings.ISSUING_BODY,
        "portal": base_url.rstrip("/") + reverse("reports:portal"),
        "top": [
            {"label": ph.label(t.get("label")), "share": _pct(t.get("share"))}
            for t in briefing.summary.get("top", [])
        ],
    }
    prefix = f"reports/email/briefing.{briefing.language}"
    with translation.override(briefing.language):
        subject = render_to_string(f"{prefix}.subject.txt", context)
        body = render_to_string(f"{prefix}.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        bcc=list(briefing.recipients),  # recipients do not see each other's addresses
    )
    message.attach(briefing.download_name, pdf, "application/pdf")
    return message


@task()
def deliver_briefing(briefing_id: int, base_url: str, actor_id: int | None = None) -> str:
    claimed = Briefing.objects.filter(pk=briefing_id, status=BriefingStatus.APPROVED).update(
        status=BriefingStatus.DELIVERING
    )
    if not claimed:
        return "skipped"
    briefing = Briefing.objects.get(pk=briefing_id)
    actor = _actor(actor_id)
    try:
        compose_delivery(briefing, briefing_pdf_bytes(briefing), base_url).send()
    except Exception as exc:  # kept for the office, then the claim is released
        Briefing.objects.filter(pk=briefing_id, status=BriefingStatus.DELIVERING).update(
            status=BriefingStatus.APPROVED, delivery_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    Briefing.objects.filter(pk=briefing_id, status=BriefingStatus.DELIVERING).update(
        status=BriefingStatus.DELIVERED, delivered_at=timezone.now(), delivery_error=""
    )
    briefing.refresh_from_db()
    audit(
        AuditAction.PUBLISH,
        actor=actor,
        actor_repr="" if actor else "tasks",
        obj=briefing,
        data={"recipients": len(briefing.recipients), "sha256": briefing.content_hash},
    )
    return "delivered"


def _pct(share: float | None) -> str:
    return "" if share is None else f"{100 * share:.1f}%"


def _actor(actor_id: int | None) -> Any:
    if actor_id is None:
        return None
    return get_user_model().objects.filter(pk=actor_id).first()
