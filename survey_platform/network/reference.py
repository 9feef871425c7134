"""Reference data every deployment needs: 滁州市, its 8 county-level divisions (national
administrative division codes) and the host-institution sectors.

Used by the data migration and by tests that flush the database (transactional tests),
so it takes the model classes as arguments and is idempotent.
"""

from __future__ import annotations

from typing import Any

CITY = ("341100", "滁州市", "Chuzhou")
COUNTIES = [
    ("341102", "琅琊区", "Langya District"),
    ("341103", "南谯区", "Nanqiao District"),
    ("341122", "来安县", "Lai'an County"),
    ("341124", "全椒县", "Quanjiao County"),
    ("341125", "定远县", "Dingyuan County"),
    ("341126", "凤阳县", "Fengyang County"),
    ("341181", "天长市", "Tianchang City"),
    ("341182", "明光市", "Mingguang City"),
]
SECTORS = [
    ("university", "高等院校", "Universities"),
    ("research", "科研院所", "Research institutes"),
    ("large_enterprise", "大中型企业", "Large and medium enterprises"),
    ("sme", "中小企业", "Small and medium enterprises"),
    ("health", "医疗卫生机构", "Health institutions"),
    ("school", "中学", "Secondary schools"),
    ("park", "园区", "Industrial parks"),
    ("county_cast", "县区科协", "County associations for S&T"),
    ("agri_extension", "农技推广单位", "Agricultural extension units"),
    ("society", "学会", "Learned societies"),
]


def ensure_reference_data(region_model: Any, sector_model: Any) -> None:
    city, _ = region_model.objects.get_or_create(
        code=CITY[0], defaults={"name": CITY[1], "name_en": CITY[2], "level": "city"}
    )
    for code, name, name_en in COUNTIES:
        region_model.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "level": "county", "parent": city},
        )
    for order, (code, name, name_en) in enumerate(SECTORS, start=1):
        sector_model.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )
