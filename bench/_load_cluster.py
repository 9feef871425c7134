"""The processes bench/load.py starts: a throwaway PostgreSQL cluster and gunicorn.

Everything lives in one temporary folder and listens on loopback ports chosen free at
start. :class:`Processes` remembers what it started and stops all of it (and removes the
folder) however the script ends: normal exit, an exception, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


class StartError(RuntimeError):
    """A process did not come up; the message points at its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise StartError("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin.")
    return found[-1].parent


TICKS = os.sysconf("SC_CLK_TCK")


def _stats() -> dict[int, list[str]]:
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            found[int(stat.parent.name)] = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError):
            continue
    return found


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds used by ``root`` and its descendants, the live ones and those it has
    reaped (cutime/cstime). Fields after the command: state ppid ... utime(12) stime(13)
    cutime(14) cstime(15)."""
    stats = _stats()
    children: dict[int, list[int]] = {}
    for pid, stat in stats.items():
        children.setdefault(int(stat[1]), []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        fields = stats.get(pid)
        if fields is None:
            continue
        total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        todo.extend(children.get(pid, []))
    return total / TICKS


class PostgresCluster:
    """initdb + pg_ctl in ``folder``; as the ``postgres`` OS user when run as root."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "pgdata"
        self.log = folder / "postgres.log"
        self.port = free_port()
        self.bin = pg_bin()
        self.run_as: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgres://survey@127.0.0.1:{self.port}/survey"
        self.started = False
        self._cpu_of_earlier_servers = 0.0

    def _run(self, *args: str) -> None:
        subprocess.run([*self.run_as, *args], check=True, stdout=subprocess.DEVNULL)

    def _options(self) -> str:
        # Production-like durability (fsync and synchronous commit stay on); enough
        # connections for every worker thread plus the bench's own.
        return (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.folder} -c max_connections=200"
        )

    def start(self) -> None:
        if self.run_as:
            subprocess.run(["id", "postgres"], check=True, stdout=subprocess.DEVNULL)
            shutil.chown(self.folder, user="postgres")
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "survey",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self.started = True  # before pg_ctl returns: an interrupt meanwhile must still stop it
        self._pg_ctl("start")
        self._run(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "survey",
            "survey",
        )

    def _pg_ctl(self, action: str, *extra: str) -> None:
        self._run(
            str(self.bin / "pg_ctl"),
            action,
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-o",
            self._options(),
            *extra,
        )

    def pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def cpu_seconds(self) -> float:
        """CPU used by the server processes so far, across restarts."""
        return self._cpu_of_earlier_servers + tree_cpu_seconds(self.pid())

    def restart(self) -> float:
        """``pg_ctl restart -m fast``: every connection is cut. Returns the seconds taken."""
        start = time.monotonic()
        self._cpu_of_earlier_servers = self.cpu_seconds()
        self._pg_ctl("restart", "-m", "fast")
        return time.monotonic() - start

    def stop(self) -> None:
        if self.started:
            subprocess.run(
                [
                    *self.run_as,
                    str(self.bin / "pg_ctl"),
                    "stop",
                    "-D",
                    str(self.data),
                    "-m",
                    "immediate",
                    "-w",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            self.started = False


class Gunicorn:
    """gunicorn serving survey_platform.wsgi with the given environment."""

    def __init__(
        self, folder: Path, env: dict[str, str], workers: int, worker_class: str, threads: int
    ) -> None:
        self.port = free_port()
        self.log = folder / "gunicorn.log"
        self.args = [
            str(VENV_BIN / "gunicorn"),
            "survey_platform.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--backlog",
            "2048",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--error-logfile",
            str(self.log),
            "--log-level",
            "warning",
        ]
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                self.args, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StartError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            if self.healthy():
                return
            time.sleep(0.2)
        raise StartError(f"gunicorn did not answer /healthz within {timeout:.0f} s; see {self.log}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:
                return r.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def workers(self) -> list[int]:
        """Worker process ids (children of the master), from /proc."""
        if self.proc is None:
            return []
        return sorted(pid for pid, f in _stats().items() if int(f[1]) == self.proc.pid)

    def kill_worker(self) -> int:
        """``kill -9`` of one worker; the master forks a replacement. Returns its pid."""
        pids = self.workers()
        if not pids:
            raise StartError("no gunicorn worker to kill")
        os.kill(pids[0], signal.SIGKILL)
        return pids[0]

    def stop(self) -> None:
        """SIGTERM to the master, which stops and reaps its workers; SIGKILL to the whole
        process group if that takes too long."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # workers left behind, if any
        except ProcessLookupError:
            pass
        self.proc.wait()


class Processes:
    """The temporary folder and everything started in it; use as a context manager."""

    def __init__(self, keep: bool = False) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
        self.folder.chmod(0o755)
        self.keep = keep
        self.postgres: PostgresCluster | None = None
        self.gunicorn: Gunicorn | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> Processes:
        # SIGTERM ends the script like Ctrl-C does, so the finally-blocks run.
        self._previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, _raise_interrupt)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.gunicorn is not None:
            self.gunicorn.stop()
        if self.postgres is not None:
            self.postgres.stop()
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
        if self.keep:
            print(f"# kept {self.folder}")
        else:
            shutil.rmtree(self.folder, ignore_errors=True)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
