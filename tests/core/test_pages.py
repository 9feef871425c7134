from __future__ import annotations

from django.test import Client
from django.urls import reverse

from survey_platform.core.models import AuditEvent
from tests.conftest import client_for
from tests.factories import UserFactory


def test_root_redirects_anonymous_to_chinese_login(db):
    client = Client()
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "用户名" in html


def test_language_switch_to_english(db):
    client = Client()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html and "Log in" in html and "User name" in html


def test_login_logout_and_failed_login_are_audited(db):
    UserFactory(username="alice")
    client = Client()
    bad = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert bad.status_code == 200
    assert 'class="errors"' in bad.content.decode() and "区分大小写" in bad.content.decode()
    assert AuditEvent.objects.filter(action="login_failed", actor_repr="alice").exists()
    ok = client.post(reverse("login"), {"username": "alice", "password": "correct-horse-battery"})
    assert ok.status_code == 302
    assert AuditEvent.objects.filter(action="login", actor__username="alice").exists()
    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action="logout", actor__username="alice").exists()
    failed = AuditEvent.objects.get(action="login_failed")
    assert "wrong" not in str(failed.data)


def test_logout_needs_post(db):
    user = UserFactory(username="bob")
    client = client_for(user)
    assert client.get(reverse("logout")).status_code == 405


def test_office_home_shows_network_summary(office, station_a):
    html = client_for(office).get("/").content.decode()
    assert 'id="office-summary"' in html
    assert 'id="my-stations"' not in html and 'id="briefings"' not in html


def test_station_home_lists_own_stations_only(officer_a, station_b):
    html = client_for(officer_a).get("/").content.decode()
    assert 'id="my-stations"' in html and "甲站" in html and "乙站" not in html
    assert 'id="office-summary"' not in html


def test_leadership_home_shows_briefings_only(leader, open_wave):
    from django.utils import timezone

    from reports.models import Briefing

    html = client_for(leader).get("/").content.decode()
    assert 'id="briefings"' in html and "尚未发布简报" in html
    assert 'id="office-summary"' not in html
    for version, title, status in ((1, "经费报销", "delivered"), (2, "未发出的草稿", "draft")):
        Briefing.objects.create(
            number=1, wave=open_wave, version=version, title=title, status=status,
            content_hash="0" * 64, pdf=f"briefings/{version}.pdf",
            delivered_at=timezone.now() if status == "delivered" else None,
        )  # fmt: skip
    html = client_for(leader).get("/").content.decode()
    assert "经费报销" in html and "未发出的草稿" not in html


def test_user_without_role_is_told_so(db):
    html = client_for(UserFactory(username="norole")).get("/").content.decode()
    assert "还没有任何角色" in html


def test_pages_have_no_external_resources(office, station_a):
    client = client_for(office)
    pages = [
        client.get(url)
        for url in ("/", reverse("network:coverage"), reverse("network:station-list"))
    ]
    pages.append(Client().get(reverse("login")))
    for page in pages:
        html = page.content.decode()
        assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in html
        assert 'name="viewport"' in html
