"""The authentication backend: normalised user names, and the login limiter's gate.

It replaces ``ModelBackend`` (settings.AUTHENTICATION_BACKENDS): the given name is
normalised (NFKC, case-folded — usernames.py) and matched exactly against the stored,
equally normalised names, so look-alikes reach the one real account. While a login limit
is reached it refuses before any password is checked, by raising ``PermissionDenied``:
``authenticate()`` then stops trying backends and reports a failed login, whatever the
form that asked (login_limits.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import login_limits
from .usernames import normalise_username


class NormalisedModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        if login_limits.is_limited(request, username):
            raise PermissionDenied("login rate limit")
        login_limits.count_attempt(request)
        return super().authenticate(
            request, username=normalise_username(username), password=password
        )
