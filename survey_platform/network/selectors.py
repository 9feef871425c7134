"""Reads of the station network for pages and the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum

from .models import Region, Sector, Station, StationMembership


@dataclass
class CoverageCell:
    stations: int = 0
    frame: int = 0

    @property
    def empty(self) -> bool:
        return self.stations == 0


@dataclass
class CoverageRow:
    region: Region
    cells: list[CoverageCell]
    total: CoverageCell = field(default_factory=CoverageCell)


@dataclass
class Coverage:
    """Active stations by county-level region × sector (横向到边、纵向到底)."""

    sectors: list[Sector]
    rows: list[CoverageRow]
    sector_totals: list[CoverageCell]
    total: CoverageCell

    @property
    def empty_cells(self) -> int:
        return sum(cell.empty for row in self.rows for cell in row.cells)

    @property
    def regions_without_station(self) -> list[Region]:
        return [row.region for row in self.rows if row.total.empty]

    @property
    def sectors_without_station(self) -> list[Sector]:
        return [s for s, cell in zip(self.sectors, self.sector_totals, strict=True) if cell.empty]


def coverage_matrix() -> Coverage:
    regions = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    sectors = list(Sector.objects.order_by("order", "code"))
    counts = (
        Station.objects.filter(active=True)
        .values("region_id", "sector_id")
        .annotate(n=Count("id"), frame=Sum("frame_size"))
    )
    by_key: dict[tuple[int, int], Mapping[str, Any]] = {
        (c["region_id"], c["sector_id"]): c for c in counts
    }
    rows, sector_totals, total = [], [CoverageCell() for _ in sectors], CoverageCell()
    for region in regions:
        row = CoverageRow(region=region, cells=[])
        for i, sector in enumerate(sectors):
            found: Mapping[str, Any] = by_key.get((region.pk, sector.pk), {})
            cell = CoverageCell(found.get("n", 0), found.get("frame", 0) or 0)
            row.cells.append(cell)
            for agg in (row.total, sector_totals[i], total):
                agg.stations += cell.stations
                agg.frame += cell.frame
        rows.append(row)
    return Coverage(sectors=sectors, rows=rows, sector_totals=sector_totals, total=total)


@dataclass(frozen=True)
class NetworkSummary:
    stations: int
    active_stations: int
    frame_total: int
    regions_covered: int
    regions_total: int
    sectors_covered: int
    sectors_total: int
    staff: int


def network_summary() -> NetworkSummary:
    # Staff are counted separately: joining memberships here would repeat each station
    # once per member and inflate the frame-size sum.
    live = Q(active=True)
    agg = Station.objects.aggregate(
        n_all=Count("id"),
        n_active=Count("id", filter=live),
        frame_active=Sum("frame_size", filter=live),
        n_regions=Count("region", filter=live, distinct=True),
        n_sectors=Count("sector", filter=live, distinct=True),
    )
    return NetworkSummary(
        stations=agg["n_all"],
        active_stations=agg["n_active"],
        frame_total=agg["frame_active"] or 0,
        regions_covered=agg["n_regions"],
        regions_total=Region.objects.filter(level=Region.Level.COUNTY).count(),
        sectors_covered=agg["n_sectors"],
        sectors_total=Sector.objects.count(),
        staff=StationMembership.objects.values("user").distinct().count(),
    )


def stations_for_user(user: Any) -> Any:
    return Station.objects.for_user(user).select_related("region", "sector")
