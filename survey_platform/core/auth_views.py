"""Log-in with rate limits: password guessing must be slow for every account and address.

Two limits, both fixed windows in the shared cache (core.ratelimit):

* per address: every POST counts (``PER_ADDRESS``), so one machine cannot sweep many
  accounts;
* per user name: only *failed* attempts count (``PER_USER``), so an account under attack
  is locked for the window while its owner, once the window passes, can log in again.

A refused attempt is answered 429 with a translated message, never checks the password
(so it cannot confirm a guess), and is audited as a failed login with the reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from . import ratelimit
from .audit import audit
from .models import AuditAction

WINDOW = 600
PER_ADDRESS = 30
PER_USER = 5


def _username(request: HttpRequest) -> str:
    return str(request.POST.get("username", "")).strip().lower()[:150]


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        name = _username(request)
        address = ratelimit.client_address(request)
        over_address = not ratelimit.allow("login-ip", address, PER_ADDRESS, WINDOW)
        over_user = ratelimit.count("login-user", name, WINDOW) >= PER_USER
        if over_address or over_user:
            audit(
                AuditAction.LOGIN_FAILED,
                actor=None,
                actor_repr=name,
                data={"username": name, "reason": "rate_limited"},
                request=request,
            )
            form = self.get_form_class()(request, data=None)
            context = self.get_context_data(form=form, rate_limited=True)
            context["limit_message"] = _(
                "Too many login attempts. Please wait ten minutes and try again."
            )
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        ratelimit.hit("login-user", _username(self.request), WINDOW)
        return super().form_invalid(form)
