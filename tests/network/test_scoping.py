"""Every station-scoped URL, as every kind of user.

The list of URL names below must cover the whole ``network`` namespace: a new page that
is not added here fails ``test_every_network_url_is_covered``.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from tests.conftest import client_for
from tests.factories import MembershipFactory

# name -> (method, needs station pk, needs membership pk, office only)
NETWORK_URLS = {
    "station-list": ("get", False, False, False),
    "station-create": ("get", False, False, True),
    "station-detail": ("get", True, False, False),
    "station-update": ("get", True, False, True),
    "membership-add": ("post", True, False, True),
    "membership-remove": ("post", True, True, True),
    "coverage": ("get", False, False, True),
}


def test_every_network_url_is_covered():
    namespace = get_resolver().namespace_dict["network"][1]
    names = {name for name in namespace.reverse_dict if isinstance(name, str)}
    assert names == set(NETWORK_URLS)


def _url(name: str, station, membership) -> str:
    _, needs_station, needs_membership, _ = NETWORK_URLS[name]
    kwargs = {}
    if needs_station:
        kwargs["pk"] = station.pk
    if needs_membership:
        kwargs["membership_pk"] = membership.pk
    return reverse(f"network:{name}", kwargs=kwargs)


def _request(client, name, url):
    method = NETWORK_URLS[name][0]
    return getattr(client, method)(
        url, {"username": "nobody", "role": "surveyor"} if method == "post" else None
    )


@pytest.fixture
def world(station_a, station_b, officer_a, officer_b):
    membership_b = station_b.memberships.get()
    membership_a = station_a.memberships.get()
    return station_a, station_b, membership_a, membership_b


@pytest.mark.parametrize("name", sorted(NETWORK_URLS))
def test_anonymous_is_sent_to_login(name, world):
    station_a, _, membership_a, _ = world
    response = _request(client_for(None), name, _url(name, station_a, membership_a))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(n for n, v in NETWORK_URLS.items() if v[1]))
def test_officer_gets_404_for_another_station(name, world, officer_a):
    _, station_b, _, membership_b = world
    response = _request(client_for(officer_a), name, _url(name, station_b, membership_b))
    # Office-only pages refuse with 403 before looking anything up; the others must not
    # reveal that station B exists.
    expected = 403 if NETWORK_URLS[name][3] else 404
    assert response.status_code == expected
    assert station_b.memberships.count() == 1


@pytest.mark.parametrize("name", sorted(n for n, v in NETWORK_URLS.items() if v[0] == "get"))
def test_officer_reaches_own_station_pages_only_where_allowed(name, world, officer_a):
    station_a, _, membership_a, _ = world
    response = client_for(officer_a).get(_url(name, station_a, membership_a))
    assert response.status_code == (403 if NETWORK_URLS[name][3] else 200)


def test_officer_station_list_shows_only_own_station(world, officer_a):
    response = client_for(officer_a).get(reverse("network:station-list"))
    assert [s.name for s in response.context["stations"]] == ["甲站"]


@pytest.mark.parametrize("name", sorted(NETWORK_URLS))
def test_leadership_cannot_open_station_administration(name, world, leader):
    station_a, _, membership_a, _ = world
    response = _request(client_for(leader), name, _url(name, station_a, membership_a))
    assert response.status_code == 403


@pytest.mark.parametrize("name", sorted(NETWORK_URLS))
def test_office_reaches_everything(name, world, office):
    _, station_b, _, membership_b = world
    response = _request(client_for(office), name, _url(name, station_b, membership_b))
    assert response.status_code in (200, 302)


def test_scoped_queryset_for_each_role(world, office, leader, officer_a):
    from survey_platform.network.models import Station, StationMembership

    assert Station.objects.for_user(office).count() == 2
    assert list(Station.objects.for_user(officer_a).values_list("name", flat=True)) == ["甲站"]
    assert not Station.objects.for_user(leader).exists()
    assert StationMembership.objects.for_user(officer_a).count() == 1


def test_inactive_user_sees_nothing(world, officer_a):
    from survey_platform.network.models import Station

    officer_a.is_active = False
    officer_a.save()
    assert not Station.objects.for_user(officer_a).exists()


def test_officer_of_two_stations_sees_both(world, officer_a, station_b):
    from survey_platform.network.models import Station

    MembershipFactory(user=officer_a, station=station_b)
    assert Station.objects.for_user(officer_a).count() == 2
