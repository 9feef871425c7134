"""E-mail configuration (Django 6.1 ``MAILERS``) from the environment.

EMAIL_BACKEND = console | file | smtp | locmem. For smtp also EMAIL_HOST, EMAIL_PORT,
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_str

KINDS = ("console", "file", "smtp", "locmem")


def mailers_from_env(default_kind: str, var_dir: Path) -> dict[str, Any]:
    kind = env_str("EMAIL_BACKEND", default_kind)
    if kind not in KINDS:
        raise ImproperlyConfigured(
            f"EMAIL_BACKEND must be one of {', '.join(KINDS)}; got {kind!r}."
        )
    options: dict[str, Any] = {}
    if kind == "file":
        options = {"file_path": str(var_dir / "mail")}
    elif kind == "smtp":
        options = {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        }
    return {
        "default": {"BACKEND": f"django.core.mail.backends.{kind}.EmailBackend", "OPTIONS": options}
    }
