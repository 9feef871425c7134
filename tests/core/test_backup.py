"""backup / restore round trip: every table comes back exactly (SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from survey_platform.core.backup import backup, restore
from survey_platform.core.errors import SurveyError

pytestmark = pytest.mark.django_db(transaction=True)


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every table in the database (not only Django's models)."""
    tables = {}
    with connection.cursor() as cur:
        for table in sorted(connection.introspection.table_names(cur)):
            if table.startswith("sqlite_"):
                continue
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            tables[table] = sorted(tuple(str(v) for v in row) for row in cur.fetchall())
    return tables


def _some_data():
    from survey_platform.core.audit import audit
    from tests.factories import MembershipFactory, StationFactory, office_user

    office = office_user(username="backup_office")
    station = StationFactory(name="备份站", host_institution="备份单位")
    MembershipFactory(station=station, user__username="backup_officer")
    audit("create", actor=office, obj=station, data={"note": "原始"})
    return station


def test_round_trip_restores_every_table(tmp_path, reference_data):
    from survey_platform.network.models import Station
    from tests.factories import StationFactory

    station = _some_data()
    before = _snapshot()
    assert sum(len(rows) for rows in before.values()) > 10
    path = backup(tmp_path / "db.backup")
    assert path.stat().st_size > 0
    # change things after the backup: delete, add, edit
    Station.objects.filter(pk=station.pk).update(name="改过的名字")
    StationFactory(name="新站")
    assert _snapshot() != before
    restore(path)
    assert _snapshot() == before


def test_commands_and_refusals(tmp_path, capsys, reference_data):
    _some_data()
    out = tmp_path / "cmd.backup"
    call_command("backup", "--out", str(out))
    assert out.exists() and str(out) in capsys.readouterr().out
    call_command("restore", str(out), "--yes")
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "missing.backup"), "--yes")
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database")
    before = _snapshot()
    with pytest.raises((CommandError, SurveyError)):
        call_command("restore", str(junk), "--yes")
    assert _snapshot() == before  # a bad file changes nothing


def test_missing_file_message_is_translated(tmp_path):
    with translation.override("en"), pytest.raises(SurveyError, match="No backup file"):
        restore(Path(tmp_path / "nope"))
