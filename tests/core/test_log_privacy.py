"""Logs keep no respondent keys (paths /a/…, /s/…, /l/…, /api/v1/respondent/…) and, in
gunicorn's access log, no client address, user agent, referrer or query string."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import RequestFactory

from survey_platform.core import access_log
from survey_platform.core.logging_filters import RespondentPathFilter
from survey_platform.core.logredact import PLACEHOLDER, redact_text, truncate_address
from survey_platform.settings import scale

KEY = "Qx7pL0vB5nM8cR3t"


@pytest.mark.parametrize(
    "text",
    [
        f"/a/{KEY}/",
        f"/a/{KEY}/B/?page=2",
        f"Not Found: /a/{KEY}/",
        f'"GET /s/{KEY}/ HTTP/1.1" 302 0',
        f"/l/{KEY}/",
        f"https://survey.example.cn/a/{KEY}/A/",
        f"/api/v1/respondent/{KEY}/pages/A/",
        f"/api/v1/respondent/open/{KEY}/",
        f"/api/v1/respondent/{KEY}/submit/",
    ],
)
def test_respondent_keys_are_replaced(text):
    redacted = redact_text(text)
    assert KEY not in redacted and PLACEHOLDER in redacted


@pytest.mark.parametrize(
    "text", ["/fieldwork/waves/3/", "/static/a/logic.js", "/a/", "/api/v1/me/"]
)
def test_other_paths_are_left_alone(text):
    assert redact_text(text) == text


def test_truncated_addresses():
    assert truncate_address("192.0.2.77") == "192.0.2.0/24"
    assert truncate_address("2001:db8:1:2::5") == "2001:db8:1::/48"
    assert truncate_address("garbage") == "-"


def _configured(json_logs: bool, monkeypatch) -> tuple[io.StringIO, logging.Handler]:
    """The project's LOGGING (settings/scale.py), writing to a buffer."""
    monkeypatch.setenv("LOG_FORMAT", "json" if json_logs else "plain")
    config = scale.logging_from_env()
    stream = io.StringIO()
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    return stream, logging.getLogger().handlers[0]


@pytest.fixture
def restore_logging():
    from django.conf import settings
    from django.utils.log import configure_logging

    yield
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def test_every_handler_has_the_filter():
    config = scale.logging_from_env()
    for handler in config["handlers"].values():
        assert "respondent_paths" in handler["filters"]
    assert config["loggers"]["django.server"]["handlers"] == ["console"]


@pytest.mark.parametrize("json_logs", [False, True])
def test_django_request_and_server_logs_are_redacted(json_logs, monkeypatch, restore_logging):
    stream, _ = _configured(json_logs, monkeypatch)
    request = RequestFactory().get(f"/a/{KEY}/B/?x=1")
    logging.getLogger("django.request").warning(
        "Not Found: %s", request.path, extra={"status_code": 404, "request": request}
    )
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /a/{KEY}/B/?x=1 HTTP/1.1", "404", "179"
    )
    try:
        raise ValueError(f"no such page /api/v1/respondent/{KEY}/pages/Z/")
    except ValueError:
        logging.getLogger("survey_platform").exception("failed at /s/%s/", KEY)
    output = stream.getvalue()
    assert output.count(PLACEHOLDER) >= 4
    assert KEY not in output
    if json_logs:
        lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
        assert lines[0]["request"] == f"<GET /a/{PLACEHOLDER}/B/>"
        assert "exc_info" in lines[2]


def test_filter_handles_dict_args_and_non_string_messages():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "%(path)s", ({"path": f"/a/{KEY}/"},), None
    )
    RespondentPathFilter().filter(record)
    assert KEY not in record.getMessage()
    record = logging.LogRecord("x", logging.INFO, __file__, 1, ValueError(f"/a/{KEY}/"), (), None)
    RespondentPathFilter().filter(record)
    assert KEY not in record.getMessage()


# --- gunicorn ---------------------------------------------------------------------------


def _environ(**extra: str) -> dict[str, str]:
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/a/{KEY}/B/?ref=mail",
        "PATH_INFO": f"/a/{KEY}/B/",
        "QUERY_STRING": "ref=mail",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.254",
        "HTTP_USER_AGENT": "Mozilla/5.0 (Phone; Model X12)",
        "HTTP_REFERER": f"https://survey.example.cn/a/{KEY}/A/",
        "HTTP_X_FORWARDED_FOR": "6.6.6.6, 192.0.2.77",
    }
    environ.update(extra)
    return environ


def _access_line(environ: dict[str, str], fmt: str) -> str:
    from gunicorn.config import Config
    from gunicorn.glogging import SafeAtoms

    cfg = Config()
    cfg.set("access_log_format", fmt)
    logger = access_log.PrivateAccessLogger(cfg)
    headers = [("User-Agent", environ["HTTP_USER_AGENT"]), ("Referer", environ["HTTP_REFERER"])]
    req = SimpleNamespace(headers=headers)
    resp = SimpleNamespace(status="200 OK", sent=123, headers=[("Set-Cookie", "sessionid=s3cr3t")])
    atoms = logger.atoms(resp, req, environ, timedelta(milliseconds=12))
    # what gunicorn's Logger.access() formats with: absent atoms print as "-"
    return fmt % SafeAtoms(atoms)


EVERYTHING = (
    '%(h)s %(u)s "%(r)s" %(U)s %(q)s "%(f)s" "%(a)s" %({user-agent}i)s %({set-cookie}o)s '
    "%({remote_addr}e)s"
)


def test_access_log_keeps_nothing_private_by_default(monkeypatch):
    monkeypatch.delenv("ACCESS_LOG_CLIENT_ADDRESS", raising=False)
    line = _access_line(_environ(), EVERYTHING)
    for private in (KEY, "10.0.0.254", "192.0.2", "6.6.6.6", "Mozilla", "ref=mail", "s3cr3t"):
        assert private not in line
    assert f"GET /a/{PLACEHOLDER}/B/ HTTP/1.1" in line


def test_access_log_truncates_addresses_when_asked(monkeypatch):
    monkeypatch.setenv("ACCESS_LOG_CLIENT_ADDRESS", "truncate")
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    line = _access_line(_environ(), "%(h)s %(r)s")
    assert line.startswith("192.0.2.0/24 ")
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "0")
    assert _access_line(_environ(), "%(h)s").startswith("10.0.0.0/24")
    line = _access_line(_environ(REMOTE_ADDR="2001:db8:5:6::1"), "%(h)s")
    assert line == "2001:db8:5::/48"


def test_access_log_refuses_an_unknown_address_mode(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("ACCESS_LOG_CLIENT_ADDRESS", "full")
    with pytest.raises(ImproperlyConfigured, match="ACCESS_LOG_CLIENT_ADDRESS"):
        access_log.address_mode()


def test_gunicorn_config_file(monkeypatch):
    import runpy

    monkeypatch.delenv("ACCESS_LOG_CLIENT_ADDRESS", raising=False)
    conf = runpy.run_path("survey_platform/gunicorn_conf.py")
    assert conf["logger_class"] == "survey_platform.core.access_log.PrivateAccessLogger"
    assert "%(h)s" not in conf["access_log_format"]
    assert "%(a)s" not in conf["access_log_format"] and "%(q)s" not in conf["access_log_format"]
    monkeypatch.setenv("ACCESS_LOG_CLIENT_ADDRESS", "truncate")
    conf = runpy.run_path("survey_platform/gunicorn_conf.py")
    assert conf["access_log_format"].startswith("%(h)s ")
    assert sys.modules  # the file imports only project modules
