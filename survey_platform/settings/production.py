"""Production profile: every secret from the environment, HTTPS-only cookies, HSTS."""

from .base import *  # noqa: F403
from .base import VAR_DIR
from .env import env_bool, env_int, env_list, env_required
from .mail import mailers_from_env
from .scale import media_storage_from_env

DEBUG = False
SECRET_KEY = env_required(
    "SECRET_KEY",
    "Production never uses a built-in key: generate one with "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` and export it.",
)
# Answer codes are stored as HMACs under this key (fieldwork/codes.py). Keep it apart from
# SECRET_KEY and in the backups' key store: without it no issued code works any more.
ANSWER_CODE_KEY = env_required(
    "ANSWER_CODE_KEY",
    "Answer codes are hashed under a key of their own: generate one as for SECRET_KEY.",
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or [
    env_required("ALLOWED_HOSTS", "List the host names this site answers to, comma-separated.")
]

MAILERS = mailers_from_env("smtp", VAR_DIR)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The language choice too: every cookie this site sets travels over HTTPS only (the
# respondent flow's own cookies follow SESSION_COOKIE_SECURE or request.is_secure()).
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": media_storage_from_env(),
    "staticfiles": {
        "BACKEND": ("survey_platform.core.staticfiles.MinifiedCompressedManifestStaticFilesStorage")
    },
}
