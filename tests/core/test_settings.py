from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from survey_platform.settings import env

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    # A production-like environment: no secrets, and none of the test-only switches.
    dropped = {"SECRET_KEY", "ANSWER_CODE_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update({"DJANGO_SETTINGS_MODULE": "survey_platform.settings.production"})
    environment.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_answer_code_key():
    result = _manage("check", ALLOWED_HOSTS="survey.example.cn", SECRET_KEY="s" * 50)
    assert result.returncode != 0
    assert "ANSWER_CODE_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", ALLOWED_HOSTS="survey.example.cn")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_check_deploy_is_clean():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="9fQ2xZ7pL0vB5nM8cR3tY6wE1uI4oA-" * 2,
        ANSWER_CODE_KEY="k3Vb8Qm1Zr6Tw0Yx5Lp2Nd7Hs4Jf9Gc-" * 2,
        ALLOWED_HOSTS="survey.example.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a, b,,c ")
    assert env.env_bool("X_BOOL") is True
    assert env.env_bool("X_MISSING", default=True) is True
    assert env.env_int("X_INT", 1) == 42
    assert env.env_list("X_LIST") == ["a", "b", "c"]
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env.env_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "forty")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env.env_int("X_INT", 1)
    monkeypatch.delenv("X_REQ", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQ must be set"):
        env.env_required("X_REQ", "hint")


def test_defaults(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai"
    # inline tasks, or RQ on a real Redis when CI's PostgreSQL pass asks for it
    expected = "RQBackend" if os.environ.get("TASKS_BACKEND") == "rq" else "ImmediateBackend"
    assert settings.TASKS["default"]["BACKEND"].endswith(expected)


def test_database_url_selects_postgresql(monkeypatch):
    import dj_database_url

    parsed = dj_database_url.parse("postgres://u:p@127.0.0.1:5433/survey")
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    assert parsed["PORT"] == 5433
