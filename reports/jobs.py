"""Job handlers: a wave's briefing and a station's feedback report.

Stages are English msgids (``gettext_noop``): the job page translates them. Any
SurveyError — too few responses, a wave that cannot be analysed, a missing CJK font —
fails the job with its message, and nothing is recorded: a Briefing row is written only
after its PDF is complete.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from survey_platform.core.errors import SurveyError
from survey_platform.fieldwork.models import FIELD_TZ, StationQuota
from survey_platform.jobs.models import Job
from survey_platform.jobs.registry import JobOutput, Progress, handler

from .content import build_content
from .fonts import required_fonts
from .inputs import briefing_inputs
from .models import BriefingLanguage
from .pdf import render_briefing, render_document
from .services import briefing_record, issue_number_for
from .station import station_report

PDF = "application/pdf"


def _language(job: Job) -> str:
    language = str(job.params.get("language") or "zh-hans")
    if language not in BriefingLanguage.values:
        raise SurveyError(_("Unknown briefing language: %(lang)s.") % {"lang": language})
    return language


@handler("briefing")
def run_briefing(job: Job, progress: Progress) -> JobOutput:
    language = _language(job)
    wave = job.wave
    if wave is None:
        raise SurveyError(_("The job names no survey wave."))
    progress(2, gettext_noop("Checking the fonts"))
    required_fonts()
    progress(5, gettext_noop("Loading the responses"))
    inputs = briefing_inputs(wave, progress)  # refuses a wave with too few responses
    progress(60, gettext_noop("Writing the briefing"))
    number = issue_number_for(wave)
    content = build_content(
        inputs,
        number=number,
        language=language,
        issued=timezone.now().astimezone(FIELD_TZ).date(),
        issuer=settings.ISSUING_BODY,
    )
    progress(65, gettext_noop("Drawing the charts and typesetting the PDF"))
    rendered = render_briefing(content)
    progress(95, gettext_noop("Recording the briefing"))
    briefing = briefing_record(
        job=job,
        wave=wave,
        language=language,
        number=number,
        title=content.title,
        pdf=rendered.content,
        pages=rendered.pages,
        summary=content.summary,
        previous_wave=wave.previous if content.previous_wave else None,
    )
    return JobOutput(filename=briefing.download_name, content_type=PDF, content=rendered.content)


@handler("station_report")
def run_station_report(job: Job, progress: Progress) -> JobOutput:
    language = _language(job)
    quota = (
        StationQuota.objects.select_related("wave", "station")
        .filter(wave=job.wave, station=job.station)
        .first()
    )
    if quota is None:
        raise SurveyError(_("The station has no quota in this wave."))
    progress(2, gettext_noop("Checking the fonts"))
    required_fonts()
    progress(10, gettext_noop("Analysing the grievances"))
    report = station_report(quota, language)
    progress(70, gettext_noop("Typesetting the PDF"))
    rendered = render_document("reports/pdf/station_report.html", {"r": report}, language)
    name = f"station-report-{quota.wave.code}-{quota.station.pk}-{language}.pdf"
    return JobOutput(filename=name, content_type=PDF, content=rendered.content)
