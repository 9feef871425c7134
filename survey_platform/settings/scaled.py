"""The scaled topology on one machine (`make run-scaled`): the production profile —
PostgreSQL, RQ workers on Redis, whitenoise, JSON logs — served over plain HTTP on
loopback, since no TLS-terminating proxy stands in front of it here. A real deployment
uses settings.production behind HTTPS (docs/deploy.md)."""

from .production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
