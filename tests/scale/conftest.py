"""A throwaway Redis server and RQ worker processes for the scale-out tests.

redis-server comes from Debian (scripts/system-deps.sh installs it with the test
dependencies). Workers are real ``manage.py rqworker`` processes on the test database.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed: run `make test` (it installs it).")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.wait()

    def wait(self, timeout: float = 10.0) -> None:
        import redis

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                redis.Redis.from_url(self.url, socket_timeout=1).ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def rq_settings(settings, redis_server):
    """This process enqueues to the test Redis (RQ, asynchronous: workers do the work).
    Changing TASKS makes Django rebuild its task backends (a setting_changed receiver);
    django-rq reads RQ_QUEUES at each call."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": redis_server.url, "ASYNC": True}}
    settings.JOB_HANDLER_MODULES = ["tests.scale.handlers"]
    settings.MEDIA_ROOT = Path(settings.VAR_DIR) / "test-media"
    return settings


class Workers:
    def __init__(self, settings, redis_url: str, count: int) -> None:
        from django.db import connection

        conf = connection.settings_dict
        if connection.vendor == "sqlite":
            db_url = f"sqlite:///{conf['NAME']}"
        else:
            auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf.get("PASSWORD") else "")
            db_url = f"postgres://{auth}@{conf['HOST']}:{conf['PORT']}/{conf['NAME']}"
        env = dict(os.environ)
        # not a pytest-xdist process: its Redis database is the one this test gave it
        env.pop("PYTEST_XDIST_WORKER", None)
        env.update(
            DJANGO_SETTINGS_MODULE="survey_platform.settings.test",
            DATABASE_URL=db_url,
            TASKS_BACKEND="rq",
            REDIS_URL=redis_url,
            RQ_ASYNC="1",
            VAR_DIR=str(settings.VAR_DIR),
            JOB_HANDLER_MODULES="tests.scale.handlers",
        )
        self.procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "rqworker",
                    "--job-class",
                    "django_tasks_rq.Job",
                    "--worker-class",
                    "rq.worker.SimpleWorker",
                    "default",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for _ in range(count)
        ]

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
