"""The demo station network of 滁州市: fictional host institutions, realistic spread.

Every host name is invented; any resemblance to a real institution is accidental.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from survey_platform.core.roles import LEADERSHIP_GROUP, OFFICE_GROUP
from survey_platform.network.models import (
    AGE_GROUP_LEVELS,
    SEX_LEVELS,
    TITLE_LEVELS,
    MarginDimension,
    PopulationMargin,
    Region,
    Sector,
    Station,
    StationMembership,
    StationRole,
)

# (host institution, region code, sector code, level, S&T workers at the host)
STATIONS: list[tuple[str, str, str, str, int]] = [
    ("皖东理工学院", "341102", "university", "provincial", 1180),
    ("琅琊职业技术学院", "341102", "university", "city", 640),
    ("滁州新材料研究院", "341102", "research", "city", 210),
    ("琅琊山生态环境研究所", "341102", "research", "city", 85),
    ("滁州市第一人民医院（示例）", "341102", "health", "provincial", 960),
    ("琅琊区第二中学", "341102", "school", "city", 150),
    ("滁州市自然科学学会联合会", "341102", "society", "city", 320),
    ("南谯精密机械股份有限公司", "341103", "large_enterprise", "city", 420),
    ("南谯经济开发区", "341103", "park", "city", 560),
    ("南谯区科协", "341103", "county_cast", "county", 60),
    ("南谯区中医院（示例）", "341103", "health", "county", 240),
    ("南谯区农业技术推广中心", "341103", "agri_extension", "county", 48),
    ("天长仪表电缆集团", "341181", "large_enterprise", "provincial", 780),
    ("天长市智能装备有限公司", "341181", "sme", "county", 95),
    ("天长市高新技术产业园", "341181", "park", "county", 430),
    ("天长市人民医院（示例）", "341181", "health", "county", 520),
    ("天长市科协", "341181", "county_cast", "county", 40),
    ("明光市绿色化工研究所", "341182", "research", "county", 70),
    ("明光市凹凸棒新材料公司", "341182", "sme", "county", 110),
    ("明光市第一中学", "341182", "school", "county", 180),
    ("明光市农业技术推广中心", "341182", "agri_extension", "county", 65),
    ("明光市科协", "341182", "county_cast", "county", 35),
    ("来安县汊河经济开发区", "341122", "park", "county", 380),
    ("来安县新能源科技有限公司", "341122", "sme", "county", 88),
    ("来安县中学", "341122", "school", "county", 140),
    ("来安县农技推广站", "341122", "agri_extension", "county", 52),
    ("来安县科协", "341122", "county_cast", "county", 30),
    ("全椒县汽车零部件集团", "341124", "large_enterprise", "county", 350),
    ("全椒县人民医院（示例）", "341124", "health", "county", 310),
    ("全椒县农业科学研究所", "341124", "research", "county", 45),
    ("全椒县科协", "341124", "county_cast", "county", 28),
    ("定远县盐化工业园", "341125", "park", "county", 290),
    ("定远县农业技术推广中心", "341125", "agri_extension", "county", 72),
    ("定远县第三中学", "341125", "school", "county", 120),
    ("定远县科协", "341125", "county_cast", "county", 32),
    ("凤阳县硅基材料股份有限公司", "341126", "large_enterprise", "county", 460),
    ("凤阳县中医院（示例）", "341126", "health", "county", 210),
    ("凤阳县农技推广中心", "341126", "agri_extension", "county", 58),
    ("凤阳县小岗村农业科技协会", "341126", "society", "county", 40),
    ("凤阳县科协", "341126", "county_cast", "county", 26),
]

#: Reference year of the margins: the frame statistics a year before the current wave, so
#: every demo wave (2025-Q4 onwards) is raked to them.
MARGIN_YEAR = 2025
MARGIN_SOURCE = "示例：站点所在单位科技人员数与模拟总体结构（合成数据）"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    description: str


DEMO_USERS = [
    DemoUser("office", "office-demo-2026", "survey office admin (调查办)"),
    DemoUser("station_a", "station-a-demo-2026", "station officer, 皖东理工学院调查站"),
    DemoUser("station_b", "station-b-demo-2026", "station officer, 天长市人民医院调查站"),
    DemoUser("leader", "leader-demo-2026", "leadership (领导)"),
]


def station_name(host: str) -> str:
    return f"{host}调查站"


def seed_stations() -> int:
    regions = {r.code: r for r in Region.objects.all()}
    sectors = {s.code: s for s in Sector.objects.all()}
    created = 0
    for host, region, sector, level, frame in STATIONS:
        _, made = Station.objects.get_or_create(
            region=regions[region],
            name=station_name(host),
            defaults={
                "host_institution": host,
                "sector": sectors[sector],
                "level": level,
                "frame_size": frame,
                "contact_name": "站点联系人（示例）",
                "contact_email": f"station{len(host)}@example.org",  # RFC 2606: no real mailbox
            },
        )
        created += made
    return created


def margin_totals() -> dict[str, dict[str, int]]:
    """Population margins of the simulated population (demo/simulate/population.py): the
    sector and region totals are the frame sizes, the sex, age-group and title totals
    count the same synthetic workers every simulated wave samples from."""
    from .simulate.model import reference_frames
    from .simulate.population import build_population, margin_counts

    by_sector: dict[str, int] = {}
    by_region: dict[str, int] = {}
    for _host, region, sector, _level, frame in STATIONS:
        by_sector[sector] = by_sector.get(sector, 0) + frame
        by_region[region] = by_region.get(region, 0) + frame
    counts = margin_counts(build_population(reference_frames()))
    assert set(counts["sex"]) == set(SEX_LEVELS)
    assert set(counts["age_group"]) == set(AGE_GROUP_LEVELS)
    assert set(counts["title"]) == set(TITLE_LEVELS)
    return {
        MarginDimension.SECTOR: by_sector,
        MarginDimension.REGION: by_region,
        MarginDimension.SEX: counts["sex"],
        MarginDimension.AGE_GROUP: counts["age_group"],
        MarginDimension.TITLE: counts["title"],
    }


def seed_margins() -> int:
    created = 0
    for dimension, levels in margin_totals().items():
        for level, total in levels.items():
            _, made = PopulationMargin.objects.get_or_create(
                reference_year=MARGIN_YEAR,
                dimension=dimension,
                level=level,
                defaults={"total": total, "source": MARGIN_SOURCE},
            )
            created += made
    return created


def seed_users() -> list[DemoUser]:
    """Create the demo accounts once; an existing account (and its password) is kept."""
    user_model = get_user_model()
    created = []
    for demo in DEMO_USERS:
        user, made = user_model.objects.get_or_create(username=demo.username)
        if made:
            user.set_password(demo.password)
            user.is_staff = demo.username == "office"
            user.save()
            created.append(demo)
    office = user_model.objects.get(username="office")
    office.groups.add(Group.objects.get(name=OFFICE_GROUP))
    user_model.objects.get(username="leader").groups.add(Group.objects.get(name=LEADERSHIP_GROUP))
    _member("station_a", "皖东理工学院", StationRole.HEAD)
    _member("station_b", "天长市人民医院（示例）", StationRole.SURVEYOR)
    return created


def _member(username: str, host: str, role: str) -> None:
    user = get_user_model().objects.get(username=username)
    station = Station.objects.get(name=station_name(host))
    StationMembership.objects.get_or_create(user=user, station=station, defaults={"role": role})


@transaction.atomic
def seed_network() -> dict[str, int]:
    """Stations, margins, users and the standard questionnaires (no waves: see
    fieldwork.seed_waves)."""
    from .instruments import seed_instruments

    created = {
        "stations": seed_stations(),
        "margins": seed_margins(),
        "users": len(seed_users()),
    }
    office = get_user_model().objects.get(username="office")
    created["instruments"] = seed_instruments(office)
    return created
