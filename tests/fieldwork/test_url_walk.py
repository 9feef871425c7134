"""Every fieldwork URL, as every kind of user: a station officer reaches only their own
station's pages (anything of another station is a 404), office pages refuse everyone
but the office, anonymous users go to the login page. New URLs are picked up by
reflection, so a page added without scoping fails here."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from survey_platform.fieldwork.models import Invitation, Response
from tests.conftest import client_for


def _fieldwork_names() -> dict[str, list[str]]:
    namespace = get_resolver().namespace_dict["fieldwork"][1]
    names = {}
    for name, entries in namespace.reverse_dict.lists():
        if isinstance(name, str):
            names[name] = entries[0][0][0][1]  # the parameter names of the pattern
    return names


NAMES = _fieldwork_names()
#: A quota's pages, and those of one invitation of the quota (the code reissue).
QUOTA_URLS = sorted(n for n, params in NAMES.items() if params and params[0] == "pk")
WAVE_URLS = sorted(n for n, params in NAMES.items() if params and params[0] == "code")


def test_url_inventory_is_what_we_expect():
    assert "invitations" in QUOTA_URLS and "station-dashboard" in QUOTA_URLS
    assert NAMES["code-reissue"] == ["pk", "invitation"]
    assert "office-monitor" in WAVE_URLS and "quality" in WAVE_URLS
    assert set(NAMES) == set(QUOTA_URLS) | set(WAVE_URLS) | {"waves", "my-waves"}


def _url(name: str, quota, wave) -> str:
    params = NAMES[name]
    if params[0] == "pk":
        kwargs = {"pk": quota.pk}
        if "invitation" in params:
            first = Invitation.objects.filter(wave=quota.wave, station=quota.station).first()
            kwargs["invitation"] = first.pk
        return reverse(f"fieldwork:{name}", kwargs=kwargs)
    kwargs = {"code": wave.code}
    if "action" in params:
        kwargs["action"] = "close"
    return reverse(f"fieldwork:{name}", kwargs=kwargs)


@pytest.fixture
def world(open_wave, station_a, station_b, officer_a, officer_b):
    Invitation.objects.create(wave=open_wave, station=station_a, channel="print", name="甲某")
    return open_wave, open_wave.quotas.get(station=station_a)


@pytest.mark.parametrize("name", QUOTA_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_station_officer_gets_404(world, officer_b, name, method):
    wave, quota_a = world
    before = (
        Invitation.objects.count(),
        Response.objects.count(),
        wave.quotas.get(pk=quota_a.pk).open_link_enabled,
    )
    response = getattr(client_for(officer_b), method)(_url(name, quota_a, wave))
    assert response.status_code in (404, 405), (name, method, response.status_code)
    after = (
        Invitation.objects.count(),
        Response.objects.count(),
        wave.quotas.get(pk=quota_a.pk).open_link_enabled,
    )
    assert before == after


@pytest.mark.parametrize("name", QUOTA_URLS)
def test_own_station_officer_may_open_the_pages(world, officer_a, name):
    wave, quota_a = world
    response = client_for(officer_a).get(_url(name, quota_a, wave))
    assert response.status_code in (200, 405), (name, response.status_code)


@pytest.mark.parametrize("name", WAVE_URLS)
@pytest.mark.parametrize("user", ["officer_a", "leader"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_office_pages_refuse_others(request, world, name, user, method):
    wave, quota_a = world
    response = getattr(client_for(request.getfixturevalue(user)), method)(_url(name, quota_a, wave))
    assert response.status_code in (403, 405), (name, user, method, response.status_code)
    wave.refresh_from_db()
    assert wave.status == "open"


@pytest.mark.parametrize("name", sorted(NAMES))
def test_anonymous_is_sent_to_login(world, name):
    from django.test import Client

    wave, quota_a = world
    url = _url(name, quota_a, wave) if NAMES[name] else reverse(f"fieldwork:{name}")
    response = Client().get(url)
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response.url.startswith(reverse("login"))


def test_leadership_sees_no_station_page(world, leader):
    wave, quota_a = world
    for name in QUOTA_URLS:
        assert client_for(leader).get(_url(name, quota_a, wave)).status_code in (403, 404, 405)
