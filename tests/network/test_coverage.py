from __future__ import annotations

from django.core.management import call_command
from django.urls import reverse

from survey_platform.network.models import Region, Sector
from survey_platform.network.selectors import coverage_matrix
from tests.conftest import client_for
from tests.factories import StationFactory


def test_matrix_counts_and_empty_cells(db):
    langya = Region.objects.get(code="341102")
    uni, health = Sector.objects.get(code="university"), Sector.objects.get(code="health")
    StationFactory(region=langya, sector=uni, frame_size=100)
    StationFactory(region=langya, sector=uni, frame_size=50)
    StationFactory(region=langya, sector=health, frame_size=30)
    StationFactory(region=langya, sector=health, frame_size=999, active=False)
    cov = coverage_matrix()
    assert len(cov.rows) == 8 and len(cov.sectors) == 10
    row = next(r for r in cov.rows if r.region == langya)
    cell = row.cells[cov.sectors.index(uni)]
    assert (cell.stations, cell.frame) == (2, 150)
    assert (row.total.stations, row.total.frame) == (3, 180)
    assert cov.total.stations == 3
    assert cov.empty_cells == 80 - 2
    assert len(cov.regions_without_station) == 7
    assert len(cov.sectors_without_station) == 8


def test_demo_network_coverage_page(office):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    response = client_for(office).get(reverse("network:coverage"))
    assert response.status_code == 200
    cov = response.context["coverage"]
    assert 35 <= cov.total.stations <= 45
    assert not cov.regions_without_station
    html = response.content.decode()
    assert 'id="coverage-matrix"' in html and "<svg" in html
    for name in ("琅琊区", "南谯区", "天长市", "明光市", "来安县", "全椒县", "定远县", "凤阳县"):
        assert name in html
    assert 'class="num empty"' in html
