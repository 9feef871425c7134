"""Every API endpoint × every role × own/other station, with the expected status.

The endpoint list comes from the live schema (and the schema is checked against the URL
resolver), so an endpoint added without a row here fails this test. Each request runs in
a savepoint that is rolled back: every cell starts from the same world.

Roles: anonymous, a signed-in user without any role ("nobody"), the survey office, a
station officer on an object of their own station ("own") and the same officer on
another station's object ("other"), leadership. Respondent endpoints: a valid answer
code, a used one and an unknown one (as the code sent to the session endpoint, and as the
key in the X-Respondent-Key header of the later calls: a valid key, one of a used code and
a forged one).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from instruments.selectors import schema_of
from instruments.xlsform import write_xlsform
from tests.api.conftest import World, api_client

pytestmark = pytest.mark.django_db

STAFF_ROLES = ("anon", "nobody", "office", "own", "other", "leader")
CODE_ROLES = ("code", "used", "unknown")


def staff(office: int, own: int, other: int, leader: int = 403) -> dict[str, int]:
    return {"anon": 401, "nobody": 403, "office": office, "own": own, "other": other,
            "leader": leader}  # fmt: skip


def office_only(status: int) -> dict[str, int]:
    return staff(status, 403, 403)


def any_role(status: int, other: int | None = None) -> dict[str, int]:
    return staff(status, status, status if other is None else other, status)


def codes(ok: int, used: int = 409, unknown: int = 404) -> dict[str, int]:
    return {"code": ok, "used": used, "unknown": unknown}


V1 = "/api/v1"
MATRIX: dict[str, dict[str, int]] = {
    f"GET {V1}/regions/": staff(200, 200, 200),
    f"GET {V1}/regions/{{code}}/": staff(200, 200, 200),
    f"GET {V1}/sectors/": staff(200, 200, 200),
    f"GET {V1}/sectors/{{code}}/": staff(200, 200, 200),
    f"GET {V1}/stations/": staff(200, 200, 200),
    f"POST {V1}/stations/": office_only(201),
    f"GET {V1}/stations/{{id}}/": staff(200, 200, 404),
    f"PATCH {V1}/stations/{{id}}/": office_only(200),
    f"GET {V1}/instruments/": office_only(200),
    f"POST {V1}/instruments/": office_only(201),
    f"GET {V1}/instruments/{{code}}/": office_only(200),
    f"POST {V1}/instruments/{{code}}/import/": office_only(201),
    f"GET {V1}/instrument-versions/": office_only(200),
    f"POST {V1}/instrument-versions/": office_only(201),
    f"GET {V1}/instrument-versions/{{id}}/": office_only(200),
    f"PUT {V1}/instrument-versions/{{id}}/": office_only(200),
    f"PATCH {V1}/instrument-versions/{{id}}/": office_only(200),
    f"DELETE {V1}/instrument-versions/{{id}}/": office_only(204),
    f"POST {V1}/instrument-versions/{{id}}/publish/": office_only(200),
    f"POST {V1}/instrument-versions/{{id}}/copy/": office_only(201),
    f"GET {V1}/instrument-versions/{{id}}/xlsform/": office_only(200),
    f"GET {V1}/waves/": staff(200, 200, 200),
    f"POST {V1}/waves/": office_only(201),
    f"GET {V1}/waves/{{code}}/": staff(200, 200, 200),
    f"PATCH {V1}/waves/{{code}}/": office_only(200),
    f"POST {V1}/waves/{{code}}/open/": office_only(409),  # permitted; the wave is open
    f"POST {V1}/waves/{{code}}/close/": office_only(200),
    f"POST {V1}/waves/{{code}}/analysed/": office_only(409),  # permitted; not closed yet
    f"POST {V1}/waves/{{code}}/copy/": office_only(201),
    f"GET {V1}/waves/{{code}}/monitor/": office_only(200),
    f"GET {V1}/waves/{{code}}/results/": office_only(200),
    f"GET {V1}/waves/{{code}}/grievances/": office_only(200),
    f"GET {V1}/quotas/": staff(200, 200, 200),
    f"POST {V1}/quotas/": office_only(200),  # the quota exists: changed, not created
    f"GET {V1}/quotas/{{id}}/": staff(200, 200, 404),
    f"PATCH {V1}/quotas/{{id}}/": office_only(200),
    f"GET {V1}/quotas/{{id}}/progress/": staff(200, 200, 404),
    f"GET {V1}/quotas/{{id}}/invitations/": staff(200, 200, 404),
    f"POST {V1}/quotas/{{id}}/invitations/import/": staff(201, 201, 404),
    f"POST {V1}/quotas/{{id}}/invitations/issue/": staff(201, 201, 404),
    f"POST {V1}/quotas/{{id}}/invitations/send/": staff(200, 200, 404),
    f"POST {V1}/quotas/{{id}}/invitations/remind/": staff(200, 200, 404),
    f"POST {V1}/quotas/{{id}}/open-link/": staff(200, 200, 404),
    f"GET {V1}/responses/": staff(200, 200, 200),
    f"GET {V1}/responses/{{id}}/": staff(200, 200, 404),
    f"GET {V1}/jobs/": staff(200, 200, 200),
    f"GET {V1}/jobs/{{id}}/": staff(200, 200, 404),
    f"GET {V1}/jobs/{{id}}/download/": staff(200, 200, 404),
    f"POST {V1}/jobs/{{id}}/retry/": staff(409, 409, 404),  # permitted; the job is done
    f"POST {V1}/waves/{{code}}/exports/": staff(201, 403, 404),  # own: wave disallows it
    f"GET {V1}/briefings/": staff(200, 403, 403, leader=200),
    f"POST {V1}/briefings/generate/": office_only(201),
    f"GET {V1}/briefings/{{id}}/": staff(200, 403, 403, leader=200),
    f"GET {V1}/briefings/{{id}}/pdf/": staff(200, 403, 403, leader=200),
    f"GET {V1}/me/": any_role(200),
    f"GET {V1}/tokens/": any_role(200),
    f"POST {V1}/tokens/": any_role(201),
    f"DELETE {V1}/tokens/{{id}}/": any_role(204, other=404),  # other: someone else's
    f"POST {V1}/respondent/session/": codes(201),
    f"GET {V1}/respondent/form/": codes(200),
    f"POST {V1}/respondent/pages/{{page}}/": codes(200),
    f"POST {V1}/respondent/submit/": codes(200),
    f"POST {V1}/respondent/open/{{token}}/": {"code": 201, "unknown": 404},
}


def _user(world: World, role: str) -> str | None:
    return {"anon": None, "nobody": "nobody", "office": "office", "own": "station",
            "other": "station", "leader": "leader"}.get(role)  # fmt: skip


def _code(world: World, role: str) -> str:
    """The answer code a respondent role enters with."""
    return {"code": world.started_code.token, "used": world.used_code.token,
            "unknown": "no-such-code-0000000000"}[role]  # fmt: skip


def _respondent_key(world: World, role: str) -> str:
    """The X-Respondent-Key of a respondent role: the key of the started code, of the used
    code, or one the server never signed."""
    if role == "unknown":
        return "no-such-key:0000000000:forged"
    return world.respondent_key(world.started_code if role == "code" else world.used_code)


def _path(world: World, role: str, template: str) -> str:
    other = role == "other"
    own_token = None
    if _user(world, role) in world.keys:
        owner = world.office if other else world.user(_user(world, role))
        own_token = owner.api_tokens.values_list("pk", flat=True).first()
    values: dict[str, Any] = {
        "page": "A",
        "token": world.quota_a.open_token if role == "code" else "no-such-link",
    }
    if template.startswith(f"{V1}/regions/"):
        values["code"] = "341102"
    elif template.startswith(f"{V1}/sectors/"):
        values["code"] = "university"
    elif template.startswith(f"{V1}/instruments/"):
        values["code"] = world.version.instrument.code
    elif template.startswith(f"{V1}/waves/"):
        values["code"] = world.wave.code
    ids = {
        f"{V1}/stations/": world.station_b if other else world.station_a,
        f"{V1}/instrument-versions/": world.draft,
        f"{V1}/quotas/": world.quota_b if other else world.quota_a,
        f"{V1}/responses/": world.response_b if other else world.response_a,
        f"{V1}/briefings/": world.briefing,
    }
    for prefix, obj in ids.items():
        if template.startswith(prefix):
            values["id"] = obj.pk
    if template.startswith(f"{V1}/jobs/"):
        values["id"] = (world.job_b if other else world.job_a).public_id
    if template.startswith(f"{V1}/tokens/"):
        values["id"] = own_token
    return template.format(**values)


def _csv() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = "name,email\n张三,zhang@example.cn\n李四,\n".encode()
    return SimpleUploadedFile("roster.csv", body, content_type="text/csv")


def _body(world: World, label: str, role: str) -> tuple[Any, str]:
    """A valid request body for the endpoint (what a permitted caller would send)."""
    station_in = {"name": "新站", "host_institution": "新单位", "region": "341102",
                  "sector": "university", "frame_size": 300}  # fmt: skip
    wave_dates = {"opens_at": "2030-01-01T08:00:00+08:00", "closes_at": "2030-02-01T08:00:00+08:00"}
    definition = dict(world.draft.definition)
    bodies: dict[str, tuple[Any, str]] = {
        f"POST {V1}/stations/": (station_in, "json"),
        f"PATCH {V1}/stations/{{id}}/": ({"frame_size": 321}, "json"),
        f"POST {V1}/instruments/": ({"code": "new-q", "name": "新问卷"}, "json"),
        f"POST {V1}/instruments/{{code}}/import/": (
            {"file": _xlsform(world)}, "multipart"),
        f"POST {V1}/instrument-versions/": (
            {"instrument": world.version.instrument.code, "definition": definition}, "json"),
        f"PUT {V1}/instrument-versions/{{id}}/": ({"definition": definition}, "json"),
        f"PATCH {V1}/instrument-versions/{{id}}/": ({"definition": definition}, "json"),
        f"POST {V1}/waves/": ({"code": "2030-Q1", "title": "新一轮", "kind": "quick",
                                "instrument_version": world.version.pk, **wave_dates}, "json"),
        f"PATCH {V1}/waves/{{code}}/": ({"title": "改名"}, "json"),
        f"POST {V1}/waves/{{code}}/copy/": ({"code": "2030-Q1", **wave_dates}, "json"),
        f"POST {V1}/quotas/": ({"wave": world.wave.code, "station": world.station_a.pk,
                                 "target": 12}, "json"),
        f"PATCH {V1}/quotas/{{id}}/": ({"target": 11}, "json"),
        f"POST {V1}/quotas/{{id}}/invitations/import/": (
            {"file": _csv(), "send_emails": "false"}, "multipart"),
        f"POST {V1}/quotas/{{id}}/invitations/issue/": ({"count": 2}, "json"),
        f"POST {V1}/quotas/{{id}}/invitations/send/": ({"language": "zh-hans"}, "json"),
        f"POST {V1}/quotas/{{id}}/invitations/remind/": ({"language": "en"}, "json"),
        f"POST {V1}/quotas/{{id}}/open-link/": ({"enabled": False}, "json"),
        f"POST {V1}/tokens/": ({"name": "script", "days": 30}, "json"),
        f"POST {V1}/waves/{{code}}/exports/": ({"format": "csv", "station": (
            world.station_b if role == "other" else world.station_a).pk}, "json"),
        f"POST {V1}/briefings/generate/": ({"wave": world.wave.code}, "json"),
        f"POST {V1}/respondent/session/": (
            {"code": _code(world, role) if role in CODE_ROLES else "x"}, "json"),
        f"POST {V1}/respondent/pages/{{page}}/": ({"answers": {"A1": "2"}}, "json"),
        f"POST {V1}/respondent/submit/": (
            {"client_submission_id": "5b0c6a52-0a47-4a3c-9e53-7f2b9c1d8e01"}, "json"),
    }  # fmt: skip
    return bodies.get(label, (None, "json"))


def _xlsform(world: World) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("form.xlsx", write_xlsform(schema_of(world.version)))


def schema_operations() -> list[str]:
    document = json.loads(Client().get("/api/schema/?format=json").content)
    return sorted(
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    )


def test_every_endpoint_has_a_matrix_row(world):
    operations = schema_operations()
    assert sorted(MATRIX) == operations, (
        f"missing rows: {sorted(set(operations) - set(MATRIX))}; "
        f"stale rows: {sorted(set(MATRIX) - set(operations))}"
    )


def test_the_schema_lists_every_api_route():
    """Every route under /api/v1/ (but the JSON 404 catch-all) is in the schema, so the
    matrix above cannot miss a route the schema does not show."""
    resolver = get_resolver()
    api = next(p for p in resolver.url_patterns if str(p.pattern) == "api/v1/")
    routes = {_route(p) for p in _flatten(api.url_patterns)} - {"^.*$"}
    documented = {op.split(" ", 1)[1] for op in MATRIX}
    normalised = {_normalise(route) for route in routes}
    assert normalised == {_normalise(path.removeprefix("/api/v1/")) for path in documented}


def _flatten(patterns: list[Any]) -> list[URLPattern]:
    out: list[URLPattern] = []
    for p in patterns:
        out.extend(_flatten(p.url_patterns) if isinstance(p, URLResolver) else [p])
    return out


def _route(pattern: URLPattern) -> str:
    return str(pattern.pattern)


def _normalise(route: str) -> str:
    """A route pattern as a comparable shape: parameters become ``*``."""
    import re

    route = route.lstrip("^").rstrip("$")
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "*", route)
    route = re.sub(r"<[^>]+>", "*", route)
    route = re.sub(r"\{[^}]+\}", "*", route)
    return route.rstrip("/")


def test_permission_matrix(world, settings):
    settings.BRIEFING_MIN_RESPONSES = 1  # the world's few responses may be briefed
    failures = []
    for label, expected in MATRIX.items():
        method, template = label.split(" ", 1)
        for role, status in expected.items():
            got = _call(world, label, method, _path(world, role, template), role)
            if got != status:
                failures.append(f"{label} as {role}: expected {status}, got {got}")
    assert not failures, "\n".join(failures)


def _call(world: World, label: str, method: str, url: str, role: str) -> int:
    data, fmt = _body(world, label, role)
    client = api_client(world, _user(world, role))
    if role in CODE_ROLES and label != f"POST {V1}/respondent/session/":
        client.credentials(HTTP_X_RESPONDENT_KEY=_respondent_key(world, role))
    with transaction.atomic():
        kwargs: dict[str, Any] = {}
        if data is not None:
            kwargs = {"data": data, "format": fmt}
        response = getattr(client, method.lower())(url, **kwargs)
        if response.status_code >= 400:
            body = response.json()
            assert isinstance(body.get("detail"), str) and body["detail"], (label, role, body)
        transaction.set_rollback(True)
    return response.status_code
