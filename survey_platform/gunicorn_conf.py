"""gunicorn settings for every web node: `gunicorn -c survey_platform/gunicorn_conf.py
survey_platform.wsgi` (scripts/run-scaled.sh, docs/deploy.md). Command-line options
(--bind, --workers, --access-logfile) still override what is set here.

The access log is private by default (core/access_log.py): no client address (or only
its /24 or /48 network with ``ACCESS_LOG_CLIENT_ADDRESS=truncate``), no user agent, no
referrer, no query string, respondent keys replaced in paths.
"""

from __future__ import annotations

from survey_platform.core.access_log import address_mode
from survey_platform.settings.env import env_int, env_str

logger_class = "survey_platform.core.access_log.PrivateAccessLogger"

# time, request line (redacted path, no query), status, bytes, duration in ms; the
# (truncated) address first only when the operator opted in.
_FORMAT = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
access_log_format = f"%(h)s {_FORMAT}" if address_mode() == "truncate" else _FORMAT

bind = env_str("GUNICORN_BIND", "0.0.0.0:8000")
workers = env_int("GUNICORN_WORKERS", 2)
# "-": standard output, for the log collector; the scripts name files instead.
accesslog = env_str("GUNICORN_ACCESS_LOG", "-")
errorlog = env_str("GUNICORN_ERROR_LOG", "-")
