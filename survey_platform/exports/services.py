"""Writes for data exports: start an export job, let stations export a wave.

Who may export what (checked when the job is started *and* again when it runs, so a
retried job or one queued before the office changed its mind obeys the current rules):

* survey office: any wave, the whole wave or one station, flagged responses on request;
  open answers are exported scrubbed of personal data;
* station staff: only a station of their own that takes part in the wave (anything
  else is a 404), only when the wave allows stations to export
  (``Wave.stations_may_export``), never flagged responses, and only when the station
  has at least ``MIN_STATION_ROWS`` responses (the small-cell rule: fewer would make
  colleagues recognisable); their files carry no open answers and no exact years;
* anyone else (leadership included): refused.

Every started export leaves an EXPORT audit event on the wave (besides the job's own
CREATE event); the download leaves a DOWNLOAD event (jobs app).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from analysis.suppression import DEFAULT_K
from survey_platform.core.audit import audit
from survey_platform.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from survey_platform.core.models import AuditAction
from survey_platform.core.roles import is_office, is_station_staff
from survey_platform.fieldwork.models import Response, ResponseStatus, Wave
from survey_platform.jobs.models import Job, JobKind
from survey_platform.jobs.services import job_enqueue
from survey_platform.network.models import Station

from .table import Audience

FORMATS = ("csv", "xlsx", "sav", "dta", "codebook")
LANGUAGES = ("zh-hans", "en")
#: A station's own export needs at least this many responses (DESIGN §7, k = 10).
MIN_STATION_ROWS = DEFAULT_K


def audience_of(user: Any) -> Audience:
    return "office" if is_office(user) else "station"


def export_start(
    *,
    actor: Any,
    wave: Wave,
    fmt: str,
    language: str = "zh-hans",
    station: Station | None = None,
    include_flagged: bool | None = None,
) -> Job:
    """Check everything, then queue the export job (audited). Raises ValidationFailed,
    PermissionDenied, NotFound or Conflict and creates nothing when refused."""
    _validate(fmt, language)
    export_authorize(actor=actor, wave=wave, station=station, include_flagged=include_flagged)
    if fmt != "codebook":
        _check_rows(actor, wave, station, include_flagged)
    params = {
        "format": fmt,
        "language": language,
        "include_flagged": include_flagged,
        "station": station.pk if station is not None else None,
    }
    with transaction.atomic():
        job = job_enqueue(
            kind=JobKind.EXPORT, actor=actor, params=params, wave=wave, station=station
        )
        audit(
            AuditAction.EXPORT,
            actor=actor,
            obj=wave,
            data={**params, "job": str(job.public_id), "audience": audience_of(actor)},
        )
    return job


def _validate(fmt: str, language: str) -> None:
    errors = {}
    if fmt not in FORMATS:
        errors["format"] = [
            _("Unknown export format %(format)s (choose one of %(formats)s).")
            % {"format": fmt, "formats": ", ".join(FORMATS)}
        ]
    if language not in LANGUAGES:
        errors["language"] = [
            _("Unknown label language %(language)s (choose one of %(languages)s).")
            % {"language": language, "languages": ", ".join(LANGUAGES)}
        ]
    if errors:
        raise ValidationFailed(errors)


def export_authorize(
    *, actor: Any, wave: Wave, station: Station | None, include_flagged: bool | None
) -> None:
    """Raise unless ``actor`` may export ``wave`` (one ``station``'s rows, or all)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Log in to export data."))
    if is_office(actor):
        return
    if station is None:
        if is_station_staff(actor):
            raise PermissionDenied(
                _("Station staff can export only their own station's responses.")
            )
        raise PermissionDenied(_("Only the survey office and station staff can export data."))
    if not Station.objects.for_user(actor).filter(pk=station.pk).exists():
        raise NotFound()
    if not wave.quotas.filter(station=station).exists():
        raise NotFound()
    if not Wave.objects.filter(pk=wave.pk, stations_may_export=True).exists():  # not stale
        raise PermissionDenied(
            _(
                "The survey office has not allowed stations to export the responses "
                "of wave %(code)s."
            )
            % {"code": wave.code}
        )
    if include_flagged:
        raise PermissionDenied(
            _("Only the survey office can export responses flagged by the quality checks.")
        )


def exported_responses(wave: Wave, include_flagged: bool | None) -> Any:
    """The responses an export takes (the same rule as the wave's dataset)."""
    include = (not wave.exclude_flagged) if include_flagged is None else bool(include_flagged)
    responses = Response.objects.filter(wave=wave, status=ResponseStatus.COMPLETE)
    return responses if include else responses.filter(quality_flags=[])


def _check_rows(
    actor: Any, wave: Wave, station: Station | None, include_flagged: bool | None
) -> None:
    responses = exported_responses(wave, include_flagged)
    if station is not None:
        responses = responses.filter(station=station)
    n = responses.count()
    if n == 0:
        raise Conflict(
            _("There are no complete responses to export in wave %(code)s yet.")
            % {"code": wave.code}
        )
    check_station_rows(actor, station, n)


def check_station_rows(actor: Any, station: Station | None, n: int) -> None:
    if station is not None and audience_of(actor) == "station" and n < MIN_STATION_ROWS:
        raise Conflict(
            _(
                "A station can export its responses once it has at least %(k)d of them "
                "(fewer could make respondents recognisable); %(station)s has %(n)d."
            )
            % {"k": MIN_STATION_ROWS, "station": station.name, "n": n}
        )


def wave_set_station_exports(*, actor: Any, wave: Wave, allowed: bool) -> Wave:
    """The office allows (or stops) station staff exporting their own station's data."""
    if not is_office(actor):
        raise PermissionDenied()
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        if locked.stations_may_export != allowed:
            locked.stations_may_export = allowed
            locked.save(update_fields=["stations_may_export"])
            audit(
                AuditAction.UPDATE,
                actor=actor,
                obj=locked,
                data={"stations_may_export": allowed},
            )
    return locked
