from __future__ import annotations

import pytest

from tests.factories import MembershipFactory

from .helpers import add_responses, close, make_stations, make_wave


@pytest.fixture
def stations(db):
    return make_stations(4)


@pytest.fixture
def waves(office, standard_version, stations):
    """A closed wave and the current one compared with it, 240 responses each."""
    before = make_wave(office, standard_version, stations, "2025-BR", days=400)
    add_responses(before, stations, seed=5)
    close(before)
    after = make_wave(office, standard_version, stations, "2026-BR", previous=before)
    add_responses(after, stations, seed=6)
    return before, after


@pytest.fixture
def wave(waves):
    return waves[1]


@pytest.fixture
def staff_first(stations):
    """A surveyor of the first station."""
    return MembershipFactory(station=stations[0], user__username="surveyor_first").user


@pytest.fixture
def staff_second(stations):
    return MembershipFactory(station=stations[1], user__username="surveyor_second").user
