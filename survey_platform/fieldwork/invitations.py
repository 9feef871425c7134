"""Invitations (one-time answer codes) for station staff: roster import, printed codes,
e-mails and reminders, the open station link, and the purge of roster contact data.

Writes validate fully, change nothing on error and leave an audit trail that never holds
contact data itself. E-mails go out as background tasks (tasks.py) enqueued after the
write has been saved.

Codes are issued where they are handed over and nowhere else (codes.py): printed codes in
the request that renders their slips (``codes_issue``, ``slips_issue``, ``code_reissue``),
e-mailed codes in the task that sends the e-mail. Creating an invitation from a roster
issues no code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from survey_platform.core.audit import audit
from survey_platform.core.errors import Conflict, ValidationFailed
from survey_platform.core.models import AuditAction

from .codes import IssuedCode, codes_issue_for
from .models import Channel, Invitation, InvitationState, StationQuota, Wave, WaveStatus
from .roster import Person, RosterFileError, RowError, normalise_phone, parse_roster

#: A wave takes new invitations only before it closes.
EDITABLE_STATES = (WaveStatus.DRAFT, WaveStatus.OPEN)
#: People who have not (yet) submitted: the ones reminders are for.
NON_RESPONDENT_STATES = (InvitationState.SENT, InvitationState.OPENED, InvitationState.STARTED)
#: Codes issued at once: they are printed in the same request, one PDF of 20 A4 pages.
MAX_CODES_PER_ISSUE = 200
#: More than three reminders is pestering; the station should talk to the person instead.
MAX_REMINDERS = 3
EMAIL_BATCH = 50
#: The audit event that records "invitation e-mail sent" and doubles as its sent marker.
EMAIL_LANGUAGES = ("zh-hans", "en")


class WaveClosed(Conflict):
    default_message = gettext_lazy(
        "This wave is closed: answer codes can no longer be issued, imported or sent."
    )


class RosterInvalid(ValidationFailed):
    """Some rows are bad; ``row_errors`` lists every one. Nothing was imported."""

    def __init__(self, row_errors: list[RowError]) -> None:
        self.row_errors = row_errors
        super().__init__(
            {
                "file": [
                    _("Row %(row)d: %(message)s") % {"row": e.row, "message": e.message}
                    for e in row_errors
                ]
            },
            message=ngettext(
                "Nothing was imported: %(n)d problem in the roster. Correct it and "
                "import the whole file again.",
                "Nothing was imported: %(n)d problems in the roster. Correct them and "
                "import the whole file again.",
                len(row_errors),
            )
            % {"n": len(row_errors)},
        )


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    by_email: int
    printed: int
    merged_in_file: int
    merged_existing: int
    created_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PurgeReport:
    wave: str
    invitations: int
    expired: int


def check_editable(wave: Wave) -> None:
    if wave.status not in EDITABLE_STATES:
        raise WaveClosed()


def locked_editable(quota: StationQuota) -> StationQuota:
    """The quota under its row lock (two writes cannot both add to it) with its wave,
    which must still take invitations. Call inside a transaction."""
    locked = StationQuota.objects.select_for_update().select_related("wave").get(pk=quota.pk)
    check_editable(locked.wave)
    return locked


def email_language(wave: Wave) -> str:
    """The wave's language for e-mails: its questionnaire's default, else Chinese."""
    language = (wave.instrument_version.definition or {}).get("default_language", "zh-hans")
    return language if language in EMAIL_LANGUAGES else "zh-hans"


# --- roster import ---------------------------------------------------------------------


def roster_import(
    *, actor: User, quota: StationQuota, data: bytes, filename: str = ""
) -> ImportResult:
    """All or nothing: any bad row refuses the whole file (RosterInvalid)."""
    check_editable(quota.wave)
    try:
        roster = parse_roster(data, filename)
    except RosterFileError as exc:
        raise ValidationFailed({"file": [str(exc)]}, message=str(exc)) from exc
    if roster.errors:
        raise RosterInvalid(roster.errors)
    with transaction.atomic():
        # Lock the quota (two imports cannot both add a person) and its wave (it cannot
        # close meanwhile).
        locked = locked_editable(quota)
        fresh, merged_existing = _new_people(locked, roster.people)
        created = _create_invitations(locked, fresh)
        result = ImportResult(
            rows=len(roster.people) + roster.merged,
            created=len(created),
            by_email=sum(1 for inv in created if inv.channel == Channel.EMAIL),
            printed=sum(1 for inv in created if inv.channel == Channel.PRINT),
            merged_in_file=roster.merged,
            merged_existing=merged_existing,
            created_ids=tuple(inv.pk for inv in created),
        )
        audit(
            AuditAction.CREATE,
            actor=actor,
            obj=locked,
            data={
                "event": "roster_import",
                "rows": result.rows,
                "created": result.created,
                "email": result.by_email,
                "print": result.printed,
                "merged_in_file": result.merged_in_file,
                "merged_existing": result.merged_existing,
            },
        )
    return result


def _new_people(quota: StationQuota, people: list[Person]) -> tuple[list[Person], int]:
    """Drop the people this station already invited in this wave (same e-mail or phone)."""
    existing = Invitation.objects.filter(wave=quota.wave, station=quota.station)
    emails = {e.casefold() for e in existing.exclude(email="").values_list("email", flat=True)}
    phones = {
        normalise_phone(p) for p in existing.exclude(phone="").values_list("phone", flat=True)
    }
    fresh = [
        p
        for p in people
        if not (p.email and p.email_key in emails) and not (p.phone and p.phone in phones)
    ]
    return fresh, len(people) - len(fresh)


def _create_invitations(quota: StationQuota, people: list[Person] | int) -> list[Invitation]:
    """Insert invitations; the rare clash of a random code with an existing one retries."""
    for attempt in range(3):
        if isinstance(people, int):
            rows = [_invitation(quota) for _i in range(people)]
        else:
            rows = [_invitation(quota, p) for p in people]
        try:
            with transaction.atomic():
                return Invitation.objects.bulk_create(rows, batch_size=500)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _invitation(quota: StationQuota, person: Person | None = None) -> Invitation:
    if person is None:
        return Invitation(wave=quota.wave, station=quota.station, channel=Channel.PRINT)
    return Invitation(
        wave=quota.wave,
        station=quota.station,
        channel=Channel.EMAIL if person.email else Channel.PRINT,
        name=person.name,
        email=person.email,
        phone=person.phone,
        title=person.title,
        age_group=person.age_group,
    )


# --- printed codes ---------------------------------------------------------------------


def codes_issue(*, actor: User, quota: StationQuota, count: int) -> list[IssuedCode]:
    """Anonymous printed codes: no contact data at all. The codes are in plaintext only
    in what this returns: print them now (they cannot be shown again)."""
    _check_count(count)
    with transaction.atomic():
        locked = locked_editable(quota)
        created = _create_invitations(locked, count)
        return _issued(actor, locked, created, "codes_issued")


def _check_count(count: int) -> None:
    if not 1 <= count <= MAX_CODES_PER_ISSUE:
        raise ValidationFailed(
            {
                "count": [
                    _("Issue between 1 and %(max)d codes at a time.") % {"max": MAX_CODES_PER_ISSUE}
                ]
            }
        )


def unprinted_invitations(quota: StationQuota) -> QuerySet[Invitation]:
    """Roster people without e-mail whose slip has not been printed yet."""
    return (
        invitations_of(quota)
        .filter(channel=Channel.PRINT, state=InvitationState.SENT, token_hash__isnull=True)
        .order_by("id")
    )


def slips_issue(*, actor: User, quota: StationQuota) -> list[IssuedCode]:
    """Codes for the next slips to print (roster people without e-mail), at most
    MAX_CODES_PER_ISSUE; print them now."""
    with transaction.atomic():
        locked = locked_editable(quota)
        chosen = list(unprinted_invitations(locked)[:MAX_CODES_PER_ISSUE])
        if not chosen:
            raise Conflict(_("Every slip of this station's roster has been printed already."))
        return _issued(actor, locked, chosen, "slips_printed")


def _issued(
    actor: User, quota: StationQuota, invitations: list[Invitation], event: str
) -> list[IssuedCode]:
    issued = codes_issue_for(invitations, revoke_sessions=False)
    audit(AuditAction.CREATE, actor=actor, obj=quota, data={"event": event, "count": len(issued)})
    return issued


def code_reissue(
    *, actor: User, quota: StationQuota, invitation_id: int
) -> tuple[Invitation, IssuedCode | None]:
    """Replace one person's code (a lost slip, an e-mail that did not arrive): the old
    code stops working at once and so does every session opened with it. An e-mailed
    code is sent by the e-mail task (None here), so nobody at the station ever sees it,
    and the answers saved so far go on with the new code.

    A printed code comes back to be printed now: it passes through the officer's hands,
    and an officer holding the new code of a *named* person must not be able to open
    that person's saved answers. So a printed reissue starts a fresh questionnaire: the
    saved answers stay stored (nothing accepted is deleted) but are cut loose from the
    invitation, like a questionnaire abandoned half-way."""
    with transaction.atomic():
        locked = locked_editable(quota)
        invitation = (
            invitations_of(locked)
            .select_for_update()
            .filter(pk=invitation_id, state__in=NON_RESPONDENT_STATES)
            .first()
        )
        if invitation is None:
            raise Conflict(_("This person has already answered, or the code no longer exists."))
        by_email = invitation.channel == Channel.EMAIL and bool(invitation.email)
        if by_email:
            # Revoke now; the task issues and sends the new code.
            Invitation.objects.filter(pk=invitation.pk).update(
                token_hash=None, code_hash=None, email_sent=False,
                code_generation=invitation.code_generation + 1,
            )  # fmt: skip
            issued = None
            detached = 0
        else:
            detached = _detach_partial(invitation)
            issued = codes_issue_for([invitation], revoke_sessions=True)[0]
        audit(
            AuditAction.UPDATE,
            actor=actor,
            obj=locked,
            data={"event": "code_reissued", "invitation": invitation.pk,
                  "channel": invitation.channel, "fresh_start": bool(detached)},
        )  # fmt: skip
    return invitation, issued


def _detach_partial(invitation: Invitation) -> int:
    """Cut the invitation's partial response loose (see code_reissue); 1 if there was one."""
    from .codes import KeyClaims
    from .models import Response, ResponseStatus, resume_hash

    identity = KeyClaims(invitation_id=invitation.pk).identity
    detached = Response.objects.filter(
        resume_hash=resume_hash(identity), status=ResponseStatus.PARTIAL
    ).update(resume_hash=None)
    if detached and invitation.state == InvitationState.STARTED:
        Invitation.objects.filter(pk=invitation.pk).update(state=InvitationState.OPENED)
    return detached


# --- e-mails ---------------------------------------------------------------------------


def unsent_email_invitations(quota: StationQuota) -> list[int]:
    return list(
        invitations_of(quota)
        .filter(channel=Channel.EMAIL, state__in=NON_RESPONDENT_STATES, email_sent=False)
        .exclude(email="")
        .values_list("pk", flat=True)
    )


def reminder_candidates(quota: StationQuota) -> QuerySet[Invitation]:
    return (
        invitations_of(quota)
        .filter(state__in=NON_RESPONDENT_STATES, reminders_sent__lt=MAX_REMINDERS)
        .exclude(email="")
    )


def invitation_emails_enqueue(
    *,
    actor: User,
    quota: StationQuota,
    base_url: str,
    language: str,
    ids: list[int] | None = None,
) -> int:
    """Queue the invitation e-mail for every e-mail invitation not e-mailed yet."""
    from .tasks import send_invitation_emails

    check_editable(quota.wave)
    _check_language(language)
    pending = unsent_email_invitations(quota)
    if ids is not None:
        wanted = set(ids)
        pending = [pk for pk in pending if pk in wanted]
    for start in range(0, len(pending), EMAIL_BATCH):
        send_invitation_emails.enqueue(
            pending[start : start + EMAIL_BATCH], base_url, language, actor.pk
        )
    if pending:
        audit(
            AuditAction.UPDATE,
            actor=actor,
            obj=quota,
            data={"event": "invitation_emails_queued", "count": len(pending)},
        )
    return len(pending)


def reminders_enqueue(*, actor: User, quota: StationQuota, base_url: str, language: str) -> int:
    """Queue one reminder for every non-respondent with an e-mail address.

    Each item carries the reminder's round (reminders_sent + 1); the task sends only if it
    can move the counter from round - 1 to round, so a double click sends nothing twice.
    """
    from .tasks import send_reminder_emails

    if quota.wave.status != WaveStatus.OPEN:
        raise Conflict(_("Reminders can be sent only while the wave is open."))
    _check_language(language)
    items = [
        [pk, sent + 1]
        for pk, sent in reminder_candidates(quota).values_list("pk", "reminders_sent")
    ]
    for start in range(0, len(items), EMAIL_BATCH):
        send_reminder_emails.enqueue(
            items[start : start + EMAIL_BATCH], base_url, language, actor.pk
        )
    audit(
        AuditAction.UPDATE,
        actor=actor,
        obj=quota,
        data={"event": "reminders_queued", "count": len(items)},
    )
    return len(items)


def _check_language(language: str) -> None:
    if language not in EMAIL_LANGUAGES:
        raise ValidationFailed({"language": [_("Choose Chinese or English.")]})


# --- open station link ------------------------------------------------------------------


def open_link_set(*, actor: User, quota: StationQuota, enabled: bool) -> StationQuota:
    with transaction.atomic():
        locked = locked_editable(quota)
        if locked.open_link_enabled != enabled:
            locked.open_link_enabled = enabled
            locked.save(update_fields=["open_link_enabled"])
            audit(
                AuditAction.UPDATE,
                actor=actor,
                obj=locked,
                data={"event": "open_link", "enabled": enabled},
            )
    return locked


# --- purge -----------------------------------------------------------------------------


def waves_due_for_purge(now: datetime) -> list[Wave]:
    candidates = Wave.objects.filter(
        status__in=(WaveStatus.CLOSED, WaveStatus.ANALYSED),
        purged_at__isnull=True,
        closes_at__lte=now,
    ).order_by("closes_at")
    return [w for w in candidates if w.closes_at + timedelta(days=w.purge_after_days) <= now]


def codes_expire(wave: Wave) -> int:
    """When a wave ends, its codes and its resume links end with it: every code hash is
    cleared (no code can be checked any more, right or wrong) and so is every partial
    response's resume hash, the last value that could tie a response to an invitation.
    Returns the number of partial responses cut loose. Safe to run again."""
    from .models import Response, ResponseStatus

    Invitation.objects.filter(wave=wave).exclude(token_hash=None, code_hash=None).update(
        token_hash=None, code_hash=None
    )
    return (
        Response.objects.filter(wave=wave, status=ResponseStatus.PARTIAL)
        .exclude(resume_hash=None)
        .update(resume_hash=None)
    )


def ended_waves_expire(now: datetime) -> int:
    """``codes_expire`` for every wave past its closing time (run by purge_rosters)."""
    return sum(codes_expire(wave) for wave in Wave.objects.filter(closes_at__lte=now))


def rosters_purge(*, now: datetime | None = None, dry_run: bool = False) -> list[PurgeReport]:
    """Blank the roster contact data of waves closed longer than their purge delay.

    Unanswered codes expire with it. Safe to run again: purged waves are skipped. Waves
    merely past their closing time lose their codes and resume hashes (codes_expire).
    """
    now = now or timezone.now()
    if not dry_run:
        ended_waves_expire(now)
    reports = []
    for wave in waves_due_for_purge(now):
        with transaction.atomic():
            locked = Wave.objects.select_for_update().get(pk=wave.pk)
            if locked.purged_at is not None:
                continue
            invitations = Invitation.objects.filter(wave=locked)
            unanswered = invitations.exclude(
                state__in=(InvitationState.COMPLETED, InvitationState.EXPIRED)
            )
            report = PurgeReport(locked.code, invitations.count(), unanswered.count())
            reports.append(report)
            if dry_run:
                continue
            unanswered.update(state=InvitationState.EXPIRED)
            invitations.update(name="", email="", phone="", title="", age_group="")
            codes_expire(locked)
            locked.purged_at = now
            locked.save(update_fields=["purged_at"])
            audit(
                AuditAction.DELETE,
                actor=None,
                actor_repr="purge_rosters",
                obj=locked,
                data={
                    "event": "roster_purge",
                    "invitations": report.invitations,
                    "expired": report.expired,
                },
            )
    return reports


# --- reads -----------------------------------------------------------------------------


def invitations_of(quota: StationQuota) -> QuerySet[Invitation]:
    return Invitation.objects.filter(wave=quota.wave_id, station=quota.station_id)


def quota_for_user(user: Any, pk: int) -> StationQuota:
    """The quota if the user may work on it; StationQuota.DoesNotExist otherwise."""
    return (
        StationQuota.objects.for_user(user)
        .select_related("wave__instrument_version", "station")
        .get(pk=pk)
    )
