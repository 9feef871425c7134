"""A station's feedback report: two pages, its own figures beside the city's, withheld
where small, and only its own staff (and the office) can open it."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reports.content_sections import short_label
from reports.station import station_cells, station_report
from survey_platform.fieldwork import services as fieldwork_services
from survey_platform.fieldwork.grievances import wave_grievance_table
from survey_platform.jobs.models import Job, JobStatus
from tests.conftest import client_for
from tests.factories import MembershipFactory, StationFactory

from .helpers import add_responses, pdf_text

pytestmark = pytest.mark.django_db


def start(client, quota, capture, language="zh-hans"):
    with capture(execute=True):
        response = client.post(
            reverse("reports:station-report", args=[quota.pk]), {"language": language}
        )
    return response


def test_staff_get_their_own_report(
    wave, stations, staff_first, staff_second, leader, office, django_capture_on_commit_callbacks
):
    quota = wave.quotas.get(station=stations[0])
    dashboard = client_for(staff_first).get(reverse("fieldwork:station-dashboard", args=[quota.pk]))
    assert reverse("reports:station-report", args=[quota.pk]) in dashboard.content.decode()

    response = start(client_for(staff_first), quota, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="station_report")
    assert response.status_code == 302 and str(job.public_id) in response["Location"]
    assert job.status == JobStatus.DONE, job.error
    assert job.station == stations[0] and job.wave == wave

    download = client_for(staff_first).get(reverse("job-download", args=[job.public_id]))
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    flat = "".join(pdf_text(data).split())
    for needle in ("调查站点反馈报告", stations[0].name, "完成有效问卷60份", "配额80份"):
        assert needle in flat, needle
    # the figures printed are the station's published cells beside the city table
    cells, k = station_cells(wave)
    table = {r.code: r for r in wave_grievance_table(wave).ranked}
    report = station_report(quota, "zh-hans")
    assert not report.small and report.lines
    for line in report.lines:
        code = next(c for c, r in table.items() if short_label(r.label["zh-hans"]) == line.label)
        n, share = cells[code][str(stations[0].pk)]
        assert n >= k and share == line.station_share
        assert f"{100 * share:.1f}%" in flat and f"{100 * table[code].prevalence:.1f}%" in flat

    for outsider in (staff_second, leader):
        client = client_for(outsider)
        assert client.get(reverse("job-detail", args=[job.public_id])).status_code == 404
        assert client.get(reverse("job-download", args=[job.public_id])).status_code == 404
    assert client_for(office).get(reverse("job-download", args=[job.public_id])).status_code == 200

    # another station's staff cannot start one for this station either
    other = start(client_for(staff_second), quota, django_capture_on_commit_callbacks)
    assert other.status_code == 404 and Job.objects.filter(kind="station_report").count() == 1
    assert start(client_for(leader), quota, django_capture_on_commit_callbacks).status_code == 403


def test_a_small_station_sees_only_city_figures(wave, office, django_capture_on_commit_callbacks):
    tiny = StationFactory(sector=wave.quotas.first().station.sector)
    fieldwork_services.quota_set(actor=office, wave=wave, station=tiny, target=20)
    add_responses(wave, [tiny], per_station=4, seed=11)
    staff = MembershipFactory(station=tiny, user__username="tiny_staff").user
    quota = wave.quotas.get(station=tiny)
    start(client_for(staff), quota, django_capture_on_commit_callbacks, language="en")
    job = Job.objects.get(kind="station_report")
    assert job.status == JobStatus.DONE, job.error
    text = " ".join(pdf_text(job.result.read()).split())
    assert "Fewer than 10 respondents of this station were analysed" in text
    assert "4 valid questionnaires against a quota of 20" in text
