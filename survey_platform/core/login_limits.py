"""One limiter for every login form: the site's, Django admin's, and anything else that
checks a password through ``django.contrib.auth.authenticate``.

Two fixed-window limits in the shared cache (core.ratelimit):

* per client address (``PER_ADDRESS``): every password check counts, so one machine
  cannot sweep many accounts;
* per user name (``PER_USER``): only *failed* checks count, so an account under attack is
  locked for the window while its owner, once the window passes, can log in again.

Both keys are normalised first: the user name as stored (usernames.py), so full-width or
upper-case look-alikes share the real name's counter, and the address through the trusted
proxies (addresses.py), so a forged ``X-Forwarded-For`` gets no fresh counter.

The limiter acts in two places, so no form can slip past it:

* the authentication backend (auth_backend.py) refuses to check a password while a limit
  is reached and counts the attempt; the ``user_login_failed`` receiver counts failures.
  Any form calling ``authenticate()`` is covered, even one not wrapped below;
* the login views (the site's, and admin's through ``rate_limited_login``) look first and
  answer 429 with a translated message instead of the form, never checking the password.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import ratelimit
from .addresses import client_address
from .audit import audit
from .models import AuditAction
from .usernames import normalise_username

WINDOW = 600
PER_ADDRESS = 30
PER_USER = 5


def is_limited(request: HttpRequest | None, username: object) -> bool:
    """True when this user name or this client address used up its attempts."""
    name = normalise_username(username)
    if ratelimit.count("login-user", name, WINDOW) >= PER_USER:
        return True
    if request is None:
        return False
    return ratelimit.count("login-ip", client_address(request), WINDOW) >= PER_ADDRESS


def count_attempt(request: HttpRequest | None) -> None:
    """Count one password check against the client address."""
    if request is not None:
        ratelimit.hit("login-ip", client_address(request), WINDOW)


def count_failure(username: object) -> None:
    """Count one failed password check against the (normalised) user name."""
    ratelimit.hit("login-user", normalise_username(username), WINDOW)


def refusal_message() -> str:
    return _("Too many login attempts. Please wait ten minutes and try again.")


def audit_refusal(request: HttpRequest, username: object) -> None:
    name = normalise_username(username)
    audit(
        AuditAction.LOGIN_FAILED,
        actor=None,
        actor_repr=name,
        data={"username": name, "reason": "rate_limited"},
        request=request,
    )


ViewFunc = Callable[..., HttpResponse]


def rate_limited_login(view: ViewFunc) -> ViewFunc:
    """Wrap a login view (admin's): a POST over a limit gets 429 and no password check."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "") if request.method == "POST" else ""
        if request.method == "POST" and is_limited(request, username):
            audit_refusal(request, username)
            context = {"limit_message": refusal_message(), "login_url": request.path}
            return render(request, "core/login_refused.html", context, status=429)
        return view(request, *args, **kwargs)

    return wrapped
