"""Log-in rate limits: per user name (failed attempts) and per address (all attempts)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from survey_platform.core import auth_views
from survey_platform.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _post(client, username, password, addr="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=addr
    )


def test_account_locks_after_failed_attempts_even_with_right_password(client, office):
    office.set_password("right-Password-1")
    office.save()
    for _ in range(auth_views.PER_USER):
        assert _post(client, office.username, "wrong").status_code == 200
    client.cookies["django_language"] = "en"
    resp = _post(client, office.username, "right-Password-1", addr="10.9.9.9")
    assert resp.status_code == 429
    assert b"Too many login attempts" in resp.content
    assert "_auth_user_id" not in client.session  # the right password did not log in
    limited = AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, data__reason="rate_limited"
    )
    assert limited.count() == 1


def test_user_name_limit_is_case_insensitive(client, office):
    for _ in range(auth_views.PER_USER):
        _post(client, office.username.upper(), "wrong")
    assert _post(client, office.username, "wrong").status_code == 429


def test_successful_logins_do_not_count_against_the_user(client, office):
    office.set_password("right-Password-1")
    office.save()
    for i in range(auth_views.PER_USER + 2):
        resp = _post(client, office.username, "right-Password-1", addr=f"10.0.1.{i}")
        assert resp.status_code == 302
        client.logout()


def test_one_address_cannot_sweep_accounts(client):
    for i in range(auth_views.PER_ADDRESS):
        assert _post(client, f"user{i}", "guess").status_code == 200
    assert _post(client, "someone-else", "guess").status_code == 429
    # another address is not affected
    assert _post(client, "someone-else", "guess", addr="10.0.0.2").status_code == 200


def test_limit_message_in_chinese(client, office):
    for _ in range(auth_views.PER_USER):
        _post(client, office.username, "wrong")
    resp = _post(client, office.username, "wrong")  # Chinese: the default
    assert resp.status_code == 429
    assert "登录尝试次数过多" in resp.content.decode()


def test_login_form_has_csrf_protection(office):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    resp = strict.post(reverse("login"), {"username": office.username, "password": "x"})
    assert resp.status_code == 403


@pytest.mark.parametrize(
    "method,url,data",
    [
        ("get", "/a/%00abc/", None),
        ("get", "/fieldwork/waves/?q=%00", None),
        ("post", "/code/", {"code": "AB\x00CD"}),
        ("post", "/accounts/login/", {"username": "x\x00", "password": "y"}),
    ],
)
def test_nul_characters_are_refused_with_400(client, method, url, data):
    resp = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert resp.status_code == 400


def test_nul_in_json_is_refused_in_the_api_error_format(client):
    resp = client.post("/api/v1/me/", '{"a": "x\\u0000"}', content_type="application/json")
    assert resp.status_code == 400 and "detail" in resp.json()


def test_nul_refusal_speaks_the_requests_language(client):
    english = client.post("/code/", {"code": "AB\x00CD"}, HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.post("/code/", {"code": "AB\x00CD"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.status_code == chinese.status_code == 400
    assert "NUL character" in english.content.decode()
    assert "空字符" in chinese.content.decode()


def test_nul_in_a_json_page_save_is_refused_with_a_json_form_error(client):
    resp = client.post("/answer/A/", {"A1": "x\x00"}, HTTP_ACCEPT="application/json")
    assert resp.status_code == 400 and resp.json()["form_error"]
