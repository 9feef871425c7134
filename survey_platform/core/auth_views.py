"""The site's log-in view, behind the login limiter shared by every login form.

The limits themselves (per normalised user name and per client address) are in
login_limits.py; the authentication backend enforces them for any form, and this view
looks first so that a refused attempt is answered 429 with a translated message, never
checks the password (so it cannot confirm a guess), and is audited with the reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from . import login_limits
from .login_limits import PER_ADDRESS, PER_USER, WINDOW

__all__ = ["PER_ADDRESS", "PER_USER", "WINDOW", "LoginView"]


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        if login_limits.is_limited(request, username):
            login_limits.audit_refusal(request, username)
            form = self.get_form_class()(request, data=None)
            context = self.get_context_data(form=form, rate_limited=True)
            context["limit_message"] = login_limits.refusal_message()
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)
