"""Schemathesis against the live OpenAPI schema: every operation, as every role.

The schema is fetched from /api/schema/ and every operation is fuzzed through the WSGI
application (the test database, no server): as the survey office, a station officer,
a leader and anonymously, and the respondent operations with an answer code's key. Path
parameters and the respondent key header are either real objects of the world (most
cases, so that the success paths are reached) or generated. Each case runs in a
savepoint that is rolled back, so every case starts from the same data. Checks: no 5xx,
the status code, content type, headers and body as the schema documents them. The seed
is fixed; the run has a time budget and must produce at least MIN_CASES cases.
"""

from __future__ import annotations

import functools
import json
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import World

pytestmark = pytest.mark.django_db

SEED = 20261104
MIN_CASES = 1000
BUDGET_SECONDS = 300
#: Generated cases per operation and role: (with real path objects, with generated ones).
EXAMPLES = {"office": (14, 4), "station": (6, 2), "leader": (2, 1), None: (2, 1)}
RESPONDENT_EXAMPLES = (30, 6)
#: Negative cases (invalid input: must be refused with a documented 4xx) per operation.
NEGATIVE = {"office": 6, "station": 2, "respondent": 10}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]  # fmt: skip


def path_objects(world: World, role: str | None, path: str) -> dict[str, Any]:
    """Real path parameters: the role's own station's objects where there are any."""
    token_id = None
    if role in world.keys:
        token_id = world.user(role).api_tokens.values_list("pk", flat=True).first()
    by_prefix = {
        "/api/v1/regions/": {"code": "341102"},
        "/api/v1/sectors/": {"code": "university"},
        "/api/v1/stations/": {"id": world.station_a.pk},
        "/api/v1/instruments/": {"code": world.version.instrument.code},
        "/api/v1/instrument-versions/": {"id": world.draft.pk},
        "/api/v1/waves/": {"code": world.wave.code},
        "/api/v1/quotas/": {"id": world.quota_a.pk},
        "/api/v1/responses/": {"id": world.response_a.pk},
        "/api/v1/briefings/": {"id": world.briefing.pk},
        "/api/v1/jobs/": {"id": str(world.job_a.public_id)},
        "/api/v1/tokens/": {"id": token_id},
        "/api/v1/respondent/open/": {"token": world.quota_a.open_token},
        "/api/v1/respondent/": {"page": "A"},
    }
    for prefix, values in by_prefix.items():
        if path.startswith(prefix):
            return {k: v for k, v in values.items() if "{" + k + "}" in path and v is not None}
    return {}


def header_objects(world: World, path: str) -> dict[str, str]:
    """A real respondent key (of an unused code) for the operations that read it."""
    entries = ("/api/v1/respondent/session/", "/api/v1/respondent/open/")
    if not path.startswith("/api/v1/respondent/") or path.startswith(entries):
        return {}
    return {"X-Respondent-Key": world.respondent_key(world.fresh_code)}


@contextmanager
def kept_connection() -> Iterator[None]:
    """Requests through the WSGI app must not close the test's database connection
    (Django's own test client disconnects the same handlers)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def live_schema(world) -> Any:
    document = json.loads(Client().get("/api/schema/?format=json").content)
    return schemathesis.openapi.from_dict(document)


def test_schemathesis_every_operation_every_role(world, live_schema):
    with kept_connection():
        _fuzz(world, live_schema, WSGIHandler())


def _fuzz(world: World, schema: Any, wsgi: Any) -> None:
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50
    started = time.monotonic()
    counts: Counter[str] = Counter()
    for operation in operations:
        respondent = operation.path.startswith("/api/v1/respondent/")
        plans = {"respondent": RESPONDENT_EXAMPLES} if respondent else EXAMPLES
        for role, (real, generated) in plans.items():
            # The WSGI transport hands the body over as sent: ask for it uncompressed (the
            # compression itself is tested in tests/core/test_compression.py).
            headers = {"Accept-Encoding": "identity"}
            if role in world.keys:
                headers["Authorization"] = f"Bearer {world.keys[role]}"
            fixed = path_objects(world, role, operation.path)
            key = header_objects(world, operation.path)
            bad = NEGATIVE.get(role, 0)
            for path_parameters, fixed_headers, n, mode in (
                (fixed, key, real, GenerationMode.POSITIVE),
                ({}, {}, generated, GenerationMode.POSITIVE),
                (fixed, key, bad, GenerationMode.NEGATIVE),
            ):
                if time.monotonic() - started > BUDGET_SECONDS:
                    pytest.fail(
                        f"Time budget of {BUDGET_SECONDS} s spent after {counts.total()} cases"
                    )
                if not n:
                    continue
                strategy = operation.as_strategy(
                    mode, path_parameters=path_parameters or None, headers=fixed_headers or None
                )
                checks = CHECKS + ([negative_data_rejection] if mode.is_negative else [])
                send = functools.partial(
                    _send, app=wsgi, headers=headers, counts=counts, checks=checks
                )
                try:
                    _run(strategy, n, send)
                except hypothesis.errors.Unsatisfiable:
                    # Nothing of this operation can be made invalid (no body, no
                    # parameters beyond the fixed path): nothing to test negatively.
                    assert mode.is_negative, operation.label
    elapsed = time.monotonic() - started
    print(f"schemathesis: {counts.total()} cases in {elapsed:.0f} s; by status {dict(counts)}")
    assert counts.total() >= MIN_CASES
    # The success paths were reached, not only refusals.
    assert sum(n for status, n in counts.items() if status.startswith("2")) >= 300


def _run(strategy: Any, n: int, send: Any) -> None:
    @hypothesis.seed(SEED)
    @hypothesis.settings(
        max_examples=n, deadline=None, database=None, derandomize=False, print_blob=False,
        phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @hypothesis.given(case=strategy)
    def run(case: Any) -> None:
        send(case)

    run()


def _send(
    case: Any, *, app: Any, headers: dict[str, str], counts: Counter[str], checks: list[Any]
) -> None:
    with transaction.atomic():
        response = case.call(app=app, headers=headers)
        counts[str(response.status_code)] += 1
        case.validate_response(response, checks=checks, headers=headers)
        transaction.set_rollback(True)
