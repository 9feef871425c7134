"""Settings shared by every profile. Deployment knobs are read from the environment."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from survey_platform.core.csp import POLICY as CSP_POLICY

from .env import env_bool, env_int, env_list, env_str
from .mail import mailers_from_env
from .scale import (
    caches_from_env,
    logging_from_env,
    media_storage_from_env,
    rq_queues,
    tasks_from_env,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "survey_platform.core",
    "survey_platform.network",
    "survey_platform.fieldwork",
    "survey_platform.demo",
    "survey_platform.jobs",
    "survey_platform.exports",
    "instruments",
    "reports",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # before staticfiles: WhiteNoise serves static files
    "django.contrib.staticfiles",
    "django_tasks_db",
    "django_rq",  # with django_tasks_rq: the RQ task backend (TASKS_BACKEND=rq)
    "django_tasks_rq",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "survey_platform.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files leave here, with nosniff but without the page policy below: a policy on
    # a script or a stylesheet governs nothing, and on a phone link every header costs
    # (bench/respondent_first_view.py).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # SECURE_CSP on every page and API response (core/csp.py: the policy and its few
    # exceptions); this far out so that error pages raised by later middleware carry it.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # After WhiteNoise (which serves static files already compressed), before anything that
    # writes the response body: pages and JSON leave brotli- or gzip-compressed.
    "survey_platform.core.compression.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the locale (its refusal is in the user's language), before anything that reads
    # the request's fields or stores them.
    "survey_platform.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# How many reverse proxies in front of the web processes append to X-Forwarded-For; the
# client's address (rate limits, staff audit) is the N-th entry from the right. 0: no
# proxy, the header is never believed (core/addresses.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Scripts, styles and everything else from this site only; no inline script or style, no
# framing (core/csp.py).
SECURE_CSP = CSP_POLICY

ROOT_URLCONF = "survey_platform.urls"
WSGI_APPLICATION = "survey_platform.wsgi.application"
ASGI_APPLICATION = "survey_platform.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "survey_platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "survey_platform.core.context_processors.roles",
            ],
        },
    },
]

# The embedded default is an SQLite file under var/; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        # a persistent connection is checked before reuse: a database restart costs no 500s
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker and the web process write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# User names are matched normalised (NFKC, case-folded) and every password check passes
# the login limiter (core/auth_backend.py, core/login_limits.py).
AUTHENTICATION_BACKENDS = ["survey_platform.core.auth_backend.NormalisedModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "survey_platform" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# E-mail: the console backend unless EMAIL_BACKEND says otherwise (see mail.py).
MAILERS = mailers_from_env("console", VAR_DIR)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "survey@kexie.example.cn")

# Background work runs through django.tasks: "database" stores tasks in the database for
# the `db_worker` command, "rq" sends them to Redis for RQ workers, "immediate" runs them
# inline (tests). See settings/scale.py and docs/deploy.md.
TASKS = tasks_from_env("database")
RQ_QUEUES = rq_queues()
CACHES = caches_from_env()
# `collectstatic` minifies our own scripts and styles and writes .br/.gz copies that
# WhiteNoise serves (core/staticfiles.py); `make run` collects before serving.
STORAGES = {
    "default": media_storage_from_env(),
    "staticfiles": {
        "BACKEND": "survey_platform.core.staticfiles.MinifiedCompressedStaticFilesStorage"
    },
}
# Serve the collected (compressed) files, also with DEBUG on; runserver leaves static files
# to WhiteNoise (whitenoise.runserver_nostatic).
WHITENOISE_USE_FINDERS = False
# Our static files are for our own pages; no other site needs to read them.
WHITENOISE_ALLOW_ALL_ORIGINS = False

REST_FRAMEWORK = {
    # The token class comes first: it names the scheme of the 401 challenge.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "survey_platform.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only (uploads opt in to multipart); both refuse an oversized body with 413.
    "DEFAULT_PARSER_CLASSES": ["survey_platform.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "survey_platform.api.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["survey_platform.api.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "survey_platform.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "survey_platform.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "S&T worker status survey platform API",
    "DESCRIPTION": "科技工作者状况调查平台 API: station network, questionnaires, waves and "
    "quotas, answer codes, responses, the respondent form, monitoring and analysis results. "
    "Sign in (session) or send `Authorization: Bearer <API token>`. Every error is "
    '`{"detail": <translated message>, "errors": {field: [messages]}}`.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "survey_platform.api.schema.strict_requests",
    ],
    # Swagger UI and ReDoc from the drf-spectacular-sidecar package's static files (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "InstrumentKindEnum": "instruments.models.InstrumentKind",
        "WaveKindEnum": "survey_platform.fieldwork.models.WaveKind",
        "JobKindEnum": "survey_platform.jobs.models.JobKind",
        "RegionLevelEnum": "survey_platform.network.models.Region.Level",
        "StationLevelEnum": "survey_platform.network.models.StationLevel",
        "LanguageEnum": "survey_platform.api.base.LANGUAGE_CHOICES",
    },
}

# Who issues the briefings (shown in the masthead and e-mails).
ISSUING_BODY = env_str("ISSUING_BODY", "滁州市科学技术协会")
# Briefings (reports/): the fewest analysable responses a wave's briefing is made from, and
# the default e-mail recipients of a delivery (the office may edit the list each time).
BRIEFING_MIN_RESPONSES = env_int("BRIEFING_MIN_RESPONSES", 100)
BRIEFING_RECIPIENTS = env_list("BRIEFING_RECIPIENTS", [])

LOGGING = logging_from_env()

# A running job whose worker wrote no heartbeat for this long is re-queued once, then failed
# (`manage.py reap_jobs`). Handlers report progress far more often than this.
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 600)
# Modules that register further job kinds (survey_platform.jobs.registry.handler).
JOB_HANDLER_MODULES = env_list("JOB_HANDLER_MODULES", [])
