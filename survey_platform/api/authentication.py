"""``Authorization: Bearer <key>`` with an API token (see tokens.py).

A request without the header is anonymous here (the session may still authenticate it);
a request *with* a bearer key that is unknown, revoked or expired is refused with 401,
never silently treated as anonymous.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .tokens import token_for_key, token_touch

KEYWORD = "Bearer"


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid Authorization header: give “Bearer” and the key, separated by a space.")
            )
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid API token.")) from exc
        token = token_for_key(key)
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Invalid API token."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                _("This API token has expired. Create a new one.")
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This user account is inactive."))
        token_touch(token)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return f'{KEYWORD} realm="api"'


# drf-spectacular leaves the extensions' __init_subclass__ unannotated.
class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "survey_platform.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (`stp_…`) from `POST /api/v1/tokens/` or "
            "`manage.py create_api_token`, sent as `Authorization: Bearer <key>`.",
        }
