"""Bulk insert of simulated responses, with a progress bar on stderr.

Rows go in through ``executemany`` of one prepared INSERT rather than ``bulk_create``: it
is several times faster at 200,000 rows (measured in bench/monitoring.py). The constant
columns are prepared once by the ORM from a template instance; per row the writer supplies
values the ORM prepared for the database (``get_db_prep_save``), so SQLite and PostgreSQL both get
what Django itself would send.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO

import numpy as np
from django.db import connection, transaction
from django.db.models import Field, Model

from survey_platform.fieldwork.models import Response

from .population import stable_seed

BATCH = 5000


class Progress:
    """A textual progress bar: redrawn in place on a terminal, a line per 10% elsewhere."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None, width: int = 30):
        self.total = max(total, 1)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.started = time.perf_counter()
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.last_decile = -1

    def update(self, done: int) -> None:
        share = min(done / self.total, 1.0)
        decile = int(share * 10)
        if not self.tty and decile == self.last_decile:
            return
        self.last_decile = decile
        filled = int(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.perf_counter() - self.started
        line = f"{self.label} [{bar}] {done:>7}/{self.total} {elapsed:5.1f} s"
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def insert_rows(
    template: Model,
    varying: Sequence[str],
    rows: Iterable[Sequence[Any]],
    total: int,
    progress: Progress | None = None,
) -> int:
    """INSERT ``rows`` (values of the ``varying`` attnames, raw Python) for ``template``'s
    model; every other column takes the template's value."""
    model = type(template)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    by_name = {f.attname: f for f in fields}
    fixed = {f.attname: f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields}
    position = [varying.index(f.attname) if f.attname in varying else -1 for f in fields]
    preps = [_preparer(by_name[name]) for name in varying]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(_column(f)) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for chunk in _chunks(rows, BATCH):
            prepared = [[prep(v) for prep, v in zip(preps, row, strict=True)] for row in chunk]
            cursor.executemany(
                sql,
                [
                    [
                        row[j] if j >= 0 else fixed[f.attname]
                        for f, j in zip(fields, position, strict=True)
                    ]
                    for row in prepared
                ],
            )
            written += len(chunk)
            if progress is not None:
                progress.update(written)
    return written


def _column(field: Field[Any, Any]) -> str:
    # Django calls a field concrete exactly when it has a column.
    assert field.column is not None
    return field.column


def _preparer(field: Any) -> Any:
    """What ``field.get_db_prep_save`` does for our values, minus its generic layers
    (they cost a third of the insert time at 200,000 rows)."""
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "JSONField":
        return lambda value: None if value is None else ops.adapt_json_value(value, field.encoder)
    if kind == "DateTimeField":
        return lambda value: None if value is None else ops.adapt_datetimefield_value(value)
    if kind in ("BooleanField", "CharField", "PositiveIntegerField", "ForeignKey"):
        return lambda value: value  # ints, bools, strings and None pass as they are
    return lambda value: field.get_db_prep_save(value, connection)


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


RESPONSE_COLUMNS = (
    "station_id", "via_open_link", "language", "answers", "status", "last_page",
    "page_seconds", "started_at", "updated_at", "submitted_at", "duration_seconds",
    "submission_id",
)  # fmt: skip


def submission_ids(seed_parts: Sequence[object], n: int) -> list[uuid.UUID]:
    """Random-looking version-4 UUIDs, deterministic for the seed and the wave code (so
    distinct across waves)."""
    rng = np.random.default_rng([stable_seed("submission", *seed_parts)])
    words = rng.integers(0, 2**63, size=(n, 2), dtype=np.int64).tolist()
    return [uuid.UUID(int=hi << 64 | lo, version=4) for hi, lo in words]


def template_response(wave: Any) -> Response:
    return Response(
        wave=wave,  # and no station: station_id is one of the RESPONSE_COLUMNS
        instrument_version_id=wave.instrument_version_id,
        quality_flags=[],
        resume_hash=None,
    )
