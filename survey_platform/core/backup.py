"""Whole-database backup and restore: SQLite online backup, pg_dump/pg_restore for PostgreSQL.

SQLite: ``sqlite3.Connection.backup`` copies a consistent snapshot page by page while the
site keeps running (readers and writers are not locked out for the whole copy). Restoring
copies the backup file back over the live database the same way, inside SQLite's own
locking, so a reader never sees half a database.

PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot via one transaction) and
``pg_restore --clean --if-exists --single-transaction`` (all or nothing). The client
binaries are found on PATH or under /usr/lib/postgresql/<version>/bin.

Media files (PDFs, exports) are not in the database; back up MEDIA_ROOT with the usual
file tools.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections
from django.utils.translation import gettext as _

from .errors import SurveyError


def _settings(alias: str) -> dict[str, Any]:
    return connections[alias].settings_dict


def _vendor(alias: str) -> str:
    return connections[alias].vendor


def backup(path: Path, *, alias: str = "default") -> Path:
    """Write a backup of the database to ``path``; returns it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if _vendor(alias) == "sqlite":
        _sqlite_copy(Path(_settings(alias)["NAME"]), path, alias)
    elif _vendor(alias) == "postgresql":
        _run([_pg_bin("pg_dump"), "--format=custom", "--no-owner", "--file", str(path)], alias)
    else:
        raise SurveyError(_("Backups are supported for SQLite and PostgreSQL only."))
    return path


def restore(path: Path, *, alias: str = "default") -> None:
    """Replace the database's contents with the backup at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise SurveyError(_("No backup file at %(path)s.") % {"path": path})
    connections[alias].close()
    if _vendor(alias) == "sqlite":
        _check_sqlite_file(path)
        _sqlite_copy(path, Path(_settings(alias)["NAME"]), alias)
    elif _vendor(alias) == "postgresql":
        _run(
            [
                _pg_bin("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                str(path),
            ],
            alias,
            database_flag="--dbname",
        )
    else:
        raise SurveyError(_("Backups are supported for SQLite and PostgreSQL only."))


def _sqlite_copy(source: Path, target: Path, alias: str) -> None:
    if str(source) == ":memory:" or str(target) == ":memory:":
        raise SurveyError(_("An in-memory database cannot be backed up or restored."))
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(str(target))
    try:
        with dst:
            src.backup(dst, pages=4096)
    finally:
        src.close()
        dst.close()


def _check_sqlite_file(path: Path) -> None:
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise SurveyError(_("%(path)s is not an SQLite backup.") % {"path": path})


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if candidates:
        return candidates[0]
    raise SurveyError(
        _("%(name)s was not found: install the PostgreSQL client tools.") % {"name": name}
    )


def _run(cmd: list[str], alias: str, database_flag: str = "--dbname") -> None:
    conf = _settings(alias)
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    args = [*cmd[:1]]
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", str(conf["USER"])]
    args += [database_flag, str(conf["NAME"]), *cmd[1:]]
    res = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise SurveyError(
            _("%(tool)s failed: %(error)s")
            % {"tool": Path(cmd[0]).name, "error": res.stderr.strip()[-500:]}
        )
