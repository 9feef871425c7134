"""Every aggregate that leaves the platform blanks cells of fewer than k respondents.

One wave of the standard questionnaire: two stations of 40 respondents each, and a tiny
station of 3 that is alone in its sector and its county. Each output is checked for that
sector's (and county's) cells: the wave table through the API, the grievance table behind
the office page and the API, the office grievance page itself, the briefing PDF, and the
tiny station's own feedback report; the tiny station may not export its rows.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from django.utils import translation

from tests.conftest import client_for
from tests.exports.conftest import add_responses, make_wave
from tests.factories import StationFactory

pytestmark = pytest.mark.django_db

TINY = 3


@pytest.fixture
def wave(office, standard_version, settings):
    from survey_platform.network.models import Region, Sector

    settings.BRIEFING_MIN_RESPONSES = 50
    # three sectors and counties: blanking the tiny one also blanks the next smallest
    # (complementary suppression), and the third stays published
    sectors = list(Sector.objects.order_by("order")[:3])
    regions = list(Region.objects.filter(level="county").order_by("code")[:3])
    big = [
        StationFactory(
            name=f"大站{i}", sector=sectors[2 * i], region=regions[2 * i], frame_size=900
        )
        for i in range(2)
    ]
    tiny = StationFactory(
        name="小小站", host_institution="小小单位", sector=sectors[1], region=regions[1],
        frame_size=50,
    )  # fmt: skip
    wave = make_wave(office, standard_version, [*big, tiny], code="2026-SC")
    add_responses(wave, big, per_station=40, seed=3)
    add_responses(wave, [tiny], per_station=TINY, seed=9)
    wave.tiny, wave.tiny_sector, wave.tiny_region = tiny, sectors[1].code, regions[1].code
    return wave


def _cells(rows, by: str, domain: str):
    return [r for r in rows if r.get("by") == by and r.get("domain") == domain]


def api_client_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_api_wave_table_blanks_the_tiny_sector(wave, office):
    client = api_client_for(office)
    rows, url = [], f"/api/v1/waves/{wave.code}/results/?page_size=500"
    while url:
        page = client.get(url).json()
        rows += page["results"]
        url = page.get("next")
    tiny = _cells(rows, "sector", wave.tiny_sector) + _cells(rows, "region", wave.tiny_region)
    assert tiny, "the tiny sector's cells are missing from the table"
    assert all(r["suppressed"] and r["estimate"] is None for r in tiny)
    assert any(not r["suppressed"] and r["estimate"] is not None for r in rows)


def test_grievance_table_page_and_api_blank_the_tiny_sector(wave, office):
    from survey_platform.fieldwork.grievances import wave_grievance_report

    report = wave_grievance_report(wave)
    data = json.loads(json.dumps(report.table.to_dict(), default=str))
    text = json.dumps(data, ensure_ascii=False)
    assert "小小站" not in text  # no station-level figure or quote names it
    blank = [cells[wave.tiny_sector] for cells in report.sectors["cells"].values()]
    assert blank and all(share is None for _n, share in blank)
    assert any(
        share is not None
        for cells in report.sectors["cells"].values()
        for _n, share in cells.values()
    )
    api = api_client_for(office).get(f"/api/v1/waves/{wave.code}/grievances/")
    assert api.status_code == 200 and "小小站" not in api.content.decode()
    page = client_for(office).get(f"/fieldwork/waves/{wave.code}/grievances/")
    assert page.status_code == 200 and "小小站" not in page.content.decode()


def test_briefing_pdf_names_no_tiny_cell(
    wave, office, django_capture_on_commit_callbacks, tmp_path
):
    from reports.models import Briefing
    from reports.services import briefing_generate

    with django_capture_on_commit_callbacks(execute=True):
        job = briefing_generate(wave=wave, language="zh-hans", actor=office)
    job.refresh_from_db()
    assert job.status == "done", job.error
    briefing = Briefing.objects.get(job=job)
    path = tmp_path / "b.pdf"
    path.write_bytes(briefing.pdf.read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "小小站" not in text and "小小单位" not in text


def test_tiny_station_report_and_export(wave, office, django_capture_on_commit_callbacks):
    from survey_platform.core.errors import PermissionDenied, SurveyError
    from survey_platform.exports import services as export_services
    from survey_platform.fieldwork.models import StationQuota
    from tests.factories import MembershipFactory

    officer = MembershipFactory(station=wave.tiny, user__username="tiny_officer").user
    export_services.wave_set_station_exports(actor=office, wave=wave, allowed=True)
    with translation.override("en"), pytest.raises((PermissionDenied, SurveyError)):
        export_services.export_start(actor=officer, wave=wave, fmt="csv", station=wave.tiny)
    from reports.services import station_report_generate

    quota = StationQuota.objects.get(wave=wave, station=wave.tiny)
    with django_capture_on_commit_callbacks(execute=True):
        job = station_report_generate(quota=quota, language="zh-hans", actor=officer)
    job.refresh_from_db()
    assert job.status == "done", job.error
    text = subprocess.run(
        ["pdftotext", "-layout", job.result.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    # its own grievance shares are blanked: only city-wide figures carry percentages
    assert "小小站" in text and "%" in text
