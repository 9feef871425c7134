from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command

from survey_platform.core.roles import Role, roles_of
from survey_platform.network.models import PopulationMargin, Station, StationMembership


def _snapshot():
    return (
        list(Station.objects.order_by("pk").values_list("pk", "name", "frame_size", "updated_at")),
        list(PopulationMargin.objects.order_by("pk").values_list("pk", "level", "total")),
        list(get_user_model().objects.order_by("pk").values_list("pk", "username", "password")),
        list(StationMembership.objects.order_by("pk").values_list("pk", "user_id", "station_id")),
    )


def test_seed_demo_builds_the_network_and_is_idempotent(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    for name in ("office", "station_a", "station_b", "leader"):
        assert name in text
    assert "office-demo-2026" in text
    stations = Station.objects.all()
    assert 38 <= stations.count() <= 42
    assert stations.values("region").distinct().count() == 8
    assert stations.values("sector").distinct().count() == 10
    first = _snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert _snapshot() == first


def test_demo_margins_are_consistent_with_frame_sizes(db):
    call_command("seed_demo", stdout=io.StringIO())
    frame = sum(Station.objects.values_list("frame_size", flat=True))
    for dimension in ("sector", "region", "sex", "age_group", "title"):
        totals = PopulationMargin.objects.filter(dimension=dimension).values_list(
            "total", flat=True
        )
        assert sum(totals) == frame, dimension
    for margin in PopulationMargin.objects.all():
        margin.full_clean()


def test_demo_users_have_their_roles(db):
    call_command("seed_demo", stdout=io.StringIO())
    users = {u.username: u for u in get_user_model().objects.all()}
    assert roles_of(users["office"]) == [Role.OFFICE]
    assert roles_of(users["leader"]) == [Role.LEADERSHIP]
    a = Station.objects.for_user(users["station_a"])
    b = Station.objects.for_user(users["station_b"])
    assert a.count() == 1 and b.count() == 1 and a.get() != b.get()
    assert users["office"].check_password("office-demo-2026")


def test_demo_loads_standard_questionnaires_published(db):
    from instruments.models import InstrumentVersion

    call_command("seed_demo", stdout=io.StringIO())
    versions = InstrumentVersion.objects.select_related("instrument")
    assert {v.instrument.code for v in versions} == {"stws-standard", "stws-quick"}
    assert all(v.is_published and len(v.checksum) == 64 for v in versions)
    call_command("seed_demo", stdout=io.StringIO())
    assert InstrumentVersion.objects.count() == 2


def test_demo_issues_one_delivered_briefing_once(db, mailoutbox):
    from reports.models import Briefing, BriefingStatus
    from reports.selectors import briefings_for_leadership

    call_command("seed_demo", stdout=io.StringIO())
    (briefing,) = Briefing.objects.all()
    assert briefing.status == BriefingStatus.DELIVERED and briefing.number == 1
    assert briefing.content_hash and briefing.page_count >= 6
    assert briefings_for_leadership() == [briefing]
    call_command("seed_demo", stdout=io.StringIO())
    assert Briefing.objects.count() == 1
