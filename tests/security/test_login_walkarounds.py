"""The login walk-arounds a review found, replayed: each must end in a refusal and no login.

* admin's own log-in form (/admin/login/) brute-forced;
* look-alike user names (full-width, upper case) getting fresh guesses or logging in as
  a separate account;
* one user name guessed from many addresses;
* a forged X-Forwarded-For, with no trusted proxy and with one.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client, RequestFactory

from survey_platform.core import login_limits
from survey_platform.core.addresses import client_address
from survey_platform.core.usernames import normalise_username

pytestmark = pytest.mark.django_db
PASSWORD = "right-Password-1"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff(db) -> User:
    user = User.objects.create_user("office", password=PASSWORD, is_staff=True)
    user.is_superuser = True
    user.save()
    return user


def _login(client: Client, username: str, password: str, **extra: str):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def _admin_login(client: Client, username: str, password: str, **extra: str):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        **extra,
    )


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- admin ---------------------------------------------------------------------------


def test_admin_login_is_rate_limited_per_user(staff):
    client = Client()
    for i in range(login_limits.PER_USER):
        resp = _admin_login(client, "office", f"guess{i}", REMOTE_ADDR=f"10.1.0.{i}")
        assert resp.status_code == 200 and not _logged_in(client)
    resp = _admin_login(client, "office", PASSWORD, REMOTE_ADDR="10.1.9.9")
    assert resp.status_code == 429
    assert not _logged_in(client)


def test_admin_login_is_rate_limited_per_address(db):
    client = Client()
    for i in range(login_limits.PER_ADDRESS):
        assert _admin_login(client, f"nobody{i}", "guess").status_code == 200
    assert _admin_login(client, "someone", "guess").status_code == 429


def test_admin_refusal_is_translated(staff):
    for _ in range(login_limits.PER_USER):
        _admin_login(Client(), "office", "wrong")
    chinese = _admin_login(Client(), "office", "wrong")
    english = Client()
    english.cookies["django_language"] = "en"
    resp = _admin_login(english, "office", "wrong")
    assert chinese.status_code == resp.status_code == 429
    assert "登录尝试次数过多" in chinese.content.decode()
    assert "Too many login attempts" in resp.content.decode()


def test_admin_login_still_works(staff):
    client = Client()
    resp = _admin_login(client, "office", PASSWORD)
    assert resp.status_code == 302 and _logged_in(client)


def test_limit_holds_for_any_caller_of_authenticate(staff):
    """A form not wrapped by any view still meets the limiter in the backend."""
    request = RequestFactory().post("/elsewhere/", REMOTE_ADDR="10.3.0.1")
    for _ in range(login_limits.PER_USER):
        assert authenticate(request, username="office", password="wrong") is None
    assert authenticate(request, username="office", password=PASSWORD) is None


# --- look-alike names ------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant", ["ｏｆｆｉｃｅ", "OFFICE", "Office", "ＯＦＦＩＣＥ", " office "]
)
def test_look_alikes_share_the_real_names_counter(staff, variant):
    client = Client()
    for i in range(login_limits.PER_USER):
        _login(client, "office", f"guess{i}", REMOTE_ADDR=f"10.2.0.{i}")
    resp = _login(client, variant, PASSWORD, REMOTE_ADDR="10.2.9.9")
    assert resp.status_code == 429 and not _logged_in(client)


@pytest.mark.parametrize("variant", ["ｏｆｆｉｃｅ", "OFFICE", "ｏｆｆｉｃｅ".upper()])
def test_look_alike_failures_count_against_the_real_name(staff, variant):
    client = Client()
    for i in range(login_limits.PER_USER):
        _login(client, variant, f"guess{i}", REMOTE_ADDR=f"10.4.0.{i}")
    resp = _login(client, "office", PASSWORD, REMOTE_ADDR="10.4.9.9")
    assert resp.status_code == 429 and not _logged_in(client)


@pytest.mark.parametrize("variant", ["ｏｆｆｉｃｅ", "OFFICE"])
def test_look_alikes_reach_the_one_account(staff, variant):
    client = Client()
    resp = _login(client, variant, PASSWORD)
    assert resp.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_users_are_stored_normalised(db):
    user = User.objects.create_user("ＳｔａｔｉｏｎＡ", password=PASSWORD)
    assert user.username == "stationa"
    assert User.objects.get(username="stationa").pk == user.pk
    assert normalise_username("ＯＦＦＩＣＥ") == normalise_username("office") == "office"


def test_admin_cannot_create_a_case_twin(staff):
    from django.contrib.auth.forms import UserCreationForm

    form = UserCreationForm(
        data={"username": "OFFICE", "password1": "x-Long-pass-9", "password2": "x-Long-pass-9"}
    )
    assert not form.is_valid()


# --- many addresses, forged X-Forwarded-For ----------------------------------------------


def test_many_addresses_for_one_name_are_refused(staff):
    client = Client()
    for i in range(login_limits.PER_USER):
        _login(client, "office", f"guess{i}", REMOTE_ADDR=f"198.51.100.{i}")
    for i in range(10, 15):
        resp = _login(client, "office", PASSWORD, REMOTE_ADDR=f"198.51.100.{i}")
        assert resp.status_code == 429 and not _logged_in(client)


def test_forged_forwarded_for_is_ignored_without_trusted_proxies(db, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client = Client()
    for i in range(login_limits.PER_ADDRESS):
        forged = f"203.0.113.{i}"
        resp = _login(client, f"name{i}", "guess", REMOTE_ADDR="10.5.0.1",
                      HTTP_X_FORWARDED_FOR=forged)  # fmt: skip
        assert resp.status_code == 200
    resp = _login(client, "fresh", "guess", REMOTE_ADDR="10.5.0.1",
                  HTTP_X_FORWARDED_FOR="203.0.113.200")  # fmt: skip
    assert resp.status_code == 429


def test_forged_forwarded_for_is_ignored_beyond_one_trusted_proxy(db, settings):
    """The proxy appends the address it saw; whatever the client wrote stays to its left."""
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    real = "192.0.2.77"
    for i in range(login_limits.PER_ADDRESS):
        resp = _login(client, f"name{i}", "guess", REMOTE_ADDR="10.0.0.254",
                      HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, {real}")  # fmt: skip
        assert resp.status_code == 200
    resp = _login(client, "fresh", "guess", REMOTE_ADDR="10.0.0.254",
                  HTTP_X_FORWARDED_FOR=f"203.0.113.250, {real}")  # fmt: skip
    assert resp.status_code == 429
    # another real client behind the same proxy keeps its own counter
    resp = _login(client, "fresh", "guess", REMOTE_ADDR="10.0.0.254",
                  HTTP_X_FORWARDED_FOR="192.0.2.78")  # fmt: skip
    assert resp.status_code == 200


@pytest.mark.parametrize(
    "count,header,expected",
    [
        (0, "203.0.113.1", "10.0.0.9"),
        (1, "203.0.113.1", "203.0.113.1"),
        (1, "1.1.1.1, 203.0.113.1", "203.0.113.1"),
        (2, "1.1.1.1, 203.0.113.1, 10.0.0.8", "203.0.113.1"),
        (1, "", "10.0.0.9"),
        (1, "not-an-address", "10.0.0.9"),
        (1, "2001:db8::1", "2001:db8::1"),
        (3, "203.0.113.1, 10.0.0.8", "203.0.113.1"),
    ],
)
def test_client_address(settings, count, header, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=header)
    assert client_address(request) == expected


def test_audit_records_the_client_behind_the_proxy(staff, settings):
    from survey_platform.core.models import AuditAction, AuditEvent

    settings.TRUSTED_PROXY_COUNT = 1
    _login(Client(), "office", PASSWORD, REMOTE_ADDR="10.0.0.254",
           HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.10")  # fmt: skip
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN).latest("pk")
    assert event.ip_address == "192.0.2.10"
