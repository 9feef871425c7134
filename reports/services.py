"""Writes for briefings: start a generation, record its PDF, approve, deliver, audit.

Every write checks the state it starts from with a conditional UPDATE (draft → approved,
approved → delivering → delivered), so two clicks or two workers cannot both succeed, and
raises a SurveyError (translated) instead of doing half the work. The PDF's sha256 is
checked against ``content_hash`` before the file is approved, e-mailed or downloaded: a
stored file that was altered is never passed on.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from survey_platform.core.audit import audit
from survey_platform.core.errors import Conflict, ValidationFailed
from survey_platform.core.models import AuditAction
from survey_platform.core.roles import LEADERSHIP_GROUP
from survey_platform.fieldwork.models import Response, ResponseStatus, StationQuota, Wave
from survey_platform.jobs.models import Job, JobKind
from survey_platform.jobs.services import job_enqueue

from .inputs import check_minimum
from .models import Briefing, BriefingLanguage, BriefingStatus, IssueNumber

LANGUAGES = tuple(BriefingLanguage.values)
ATTEMPTS = 5


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValidationFailed(
            {"language": [_("Unknown briefing language: %(lang)s.") % {"lang": language}]}
        )
    return language


# --- generation ----------------------------------------------------------------------------


def briefing_generate(*, wave: Wave, language: str, actor: Any) -> Job:
    """Queue the generation of a new version of ``wave``'s briefing in ``language``.

    Refused at once (nothing queued) when the wave has fewer complete responses than
    ``BRIEFING_MIN_RESPONSES`` or the same briefing is already being generated; the job
    itself checks the analysable responses again and fails with the reason."""
    _language(language)
    completes = Response.objects.filter(wave=wave, status=ResponseStatus.COMPLETE).count()
    check_minimum(wave, completes)
    running = Job.objects.active().filter(
        kind=JobKind.BRIEFING, wave=wave, params__language=language
    )
    if running.exists():
        raise Conflict(
            _("A briefing of wave %(code)s in this language is already being generated.")
            % {"code": wave.code}
        )
    return job_enqueue(kind=JobKind.BRIEFING, actor=actor, params={"language": language}, wave=wave)


def issue_number_for(wave: Wave) -> int:
    """The wave's issue number, allocated on first use (next after the highest)."""
    for _attempt in range(ATTEMPTS):
        found = IssueNumber.objects.filter(wave=wave).values_list("number", flat=True).first()
        if found is not None:
            return found
        top = IssueNumber.objects.aggregate(top=Max("number"))["top"] or 0
        try:
            with transaction.atomic():
                return IssueNumber.objects.create(wave=wave, number=top + 1).number
        except IntegrityError:  # another worker took this number or numbered this wave
            continue
    raise Conflict(_("No issue number could be allocated; try again."))


def briefing_record(
    *,
    job: Job | None,
    wave: Wave,
    language: str,
    number: int,
    title: str,
    pdf: bytes,
    pages: int,
    summary: dict[str, Any],
    previous_wave: Wave | None = None,
) -> Briefing:
    """Store a finished PDF as the next version of the wave's briefing (a draft)."""
    digest = hashlib.sha256(pdf).hexdigest()
    actor = job.created_by if job is not None else None
    for _attempt in range(ATTEMPTS):
        version = (
            Briefing.objects.filter(wave=wave, language=language).aggregate(v=Max("version"))["v"]
            or 0
        ) + 1
        briefing = Briefing(
            number=number,
            wave=wave,
            previous_wave=previous_wave,
            version=version,
            language=language,
            title=title[:200],
            content_hash=digest,
            page_count=pages,
            summary=summary,
            job=job,
            created_by=actor,
        )
        name = f"briefing-{number:03d}-{wave.pk}-{language}-v{version}.pdf"
        briefing.pdf.save(name, ContentFile(pdf), save=False)
        stored = briefing.pdf.name
        assert stored is not None  # save() has just stored the file under a name
        try:
            with transaction.atomic():
                briefing.save()
        except IntegrityError:  # a concurrent generation took this version number
            briefing.pdf.storage.delete(stored)
            continue
        audit(
            AuditAction.CREATE,
            actor=actor,
            obj=briefing,
            data={"version": version, "language": language, "sha256": digest, "pages": pages},
        )
        return briefing
    raise Conflict(_("The briefing could not be recorded; try again."))


# --- integrity, approval, delivery ---------------------------------------------------------


def briefing_pdf_bytes(briefing: Briefing) -> bytes:
    """The stored PDF, refused when it no longer matches its recorded hash."""
    with briefing.pdf.open("rb") as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != briefing.content_hash:
        raise Conflict(
            _(
                "The stored PDF of issue %(number)s does not match its recorded checksum and "
                "is not passed on. Generate a new version."
            )
            % {"number": briefing.number}
        )
    return data


def _latest(briefing: Briefing) -> bool:
    return not Briefing.objects.filter(
        wave=briefing.wave_id, language=briefing.language, version__gt=briefing.version
    ).exists()


def briefing_approve(*, briefing: Briefing, actor: Any, request: Any = None) -> Briefing:
    if not _latest(briefing):
        raise Conflict(_("A newer version of this briefing exists; approve that one."))
    briefing_pdf_bytes(briefing)
    now = timezone.now()
    done = Briefing.objects.filter(pk=briefing.pk, status=BriefingStatus.DRAFT).update(
        status=BriefingStatus.APPROVED, approved_by=actor, approved_at=now
    )
    if not done:
        raise Conflict(_("Only a draft briefing can be approved."))
    briefing.refresh_from_db()
    audit(
        AuditAction.APPROVE,
        actor=actor,
        obj=briefing,
        request=request,
        data={"version": briefing.version, "sha256": briefing.content_hash},
    )
    return briefing


def default_recipients() -> list[str]:
    """The configured list plus the e-mail addresses of active leadership accounts."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=LEADERSHIP_GROUP)
        .exclude(email="")
    )
    found = [*getattr(settings, "BRIEFING_RECIPIENTS", []), *users.values_list("email", flat=True)]
    return list(dict.fromkeys(a.strip() for a in found if a.strip()))


def parse_recipients(text: str) -> list[str]:
    parts = [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",")]
    addresses = list(dict.fromkeys(p for p in parts if p))
    bad = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationFailed(
            {"recipients": [_("Not an e-mail address: %(bad)s") % {"bad": ", ".join(bad)}]}
        )
    if not addresses:
        raise ValidationFailed({"recipients": [_("Name at least one recipient.")]})
    return addresses


def briefing_deliver(
    *, briefing: Briefing, actor: Any, recipients: list[str], base_url: str, request: Any = None
) -> Briefing:
    """Queue the e-mail to ``recipients``; the task publishes the briefing once sent."""
    from .tasks import deliver_briefing

    if briefing.status != BriefingStatus.APPROVED:
        raise Conflict(_("Only an approved briefing can be delivered."))
    briefing_pdf_bytes(briefing)
    if not Briefing.objects.filter(pk=briefing.pk, status=BriefingStatus.APPROVED).update(
        recipients=recipients, delivery_error=""
    ):
        raise Conflict(_("Only an approved briefing can be delivered."))
    briefing.refresh_from_db()
    audit(
        AuditAction.UPDATE,
        actor=actor,
        obj=briefing,
        request=request,
        data={"event": "delivery_queued", "recipients": len(recipients)},
    )
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    transaction.on_commit(lambda: deliver_briefing.enqueue(briefing.pk, base_url, actor_id))
    return briefing


def briefing_mark_downloaded(
    *, briefing: Briefing, actor: Any, request: Any = None, inline: bool = False
) -> None:
    audit(
        AuditAction.DOWNLOAD,
        actor=actor,
        obj=briefing,
        request=request,
        data={"sha256": briefing.content_hash, "inline": inline, "version": briefing.version},
    )


# --- station feedback reports --------------------------------------------------------------


def station_report_generate(*, quota: StationQuota, language: str, actor: Any) -> Job:
    """Queue a station's feedback report (the job is scoped to the station)."""
    _language(language)
    running = Job.objects.active().filter(
        kind=JobKind.STATION_REPORT, wave=quota.wave, station=quota.station
    )
    if running.exists():
        raise Conflict(_("This station's feedback report is already being generated."))
    return job_enqueue(
        kind=JobKind.STATION_REPORT,
        actor=actor,
        params={"language": language},
        wave=quota.wave,
        station=quota.station,
    )
