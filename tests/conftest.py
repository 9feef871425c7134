from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import MembershipFactory, StationFactory, leader_user, office_user


@pytest.fixture
def office(db):
    return office_user(username="office_admin")


@pytest.fixture
def leader(db):
    return leader_user(username="leader_one")


@pytest.fixture
def station_a(db):
    return StationFactory(name="甲站", host_institution="甲单位")


@pytest.fixture
def station_b(db):
    return StationFactory(name="乙站", host_institution="乙单位")


@pytest.fixture
def officer_a(station_a):
    return MembershipFactory(station=station_a, user__username="officer_a").user


@pytest.fixture
def officer_b(station_b):
    return MembershipFactory(station=station_b, user__username="officer_b").user


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def zh(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    return settings
