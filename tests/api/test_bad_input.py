"""Bad input gets a clear 4xx in the one error format and changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from survey_platform.api.models import ApiToken
from survey_platform.core.models import AuditEvent
from survey_platform.fieldwork.models import Invitation, Response, StationQuota
from survey_platform.network.models import Station
from tests.api.conftest import World, api_client, respondent_client

pytestmark = pytest.mark.django_db

STATION = {"name": "新站", "host_institution": "新单位", "region": "341102",
           "sector": "university", "frame_size": 300}  # fmt: skip


def snapshot() -> dict[str, object]:
    """Everything a refused request could have touched."""
    return {
        "stations": list(Station.objects.order_by("pk").values()),
        "responses": list(Response.objects.order_by("pk").values()),
        "invitations": list(Invitation.objects.order_by("pk").values("pk", "state")),
        "quotas": list(StationQuota.objects.order_by("pk").values("pk", "target", "completes")),
        "audit": AuditEvent.objects.count(),
    }


def error_of(response) -> dict:
    assert 400 <= response.status_code < 500, response.status_code
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def test_malformed_json(world: World):
    before = snapshot()
    response = api_client(world, "office").post(
        "/api/v1/stations/", data='{"name": "新站",', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in error_of(response)["detail"]
    assert snapshot() == before


def test_wrong_types(world: World):
    before = snapshot()
    client = api_client(world, "office")
    response = client.post("/api/v1/stations/", {**STATION, "frame_size": "many"}, format="json")
    assert response.status_code == 400
    assert "frame_size" in error_of(response)["errors"]
    for body in ([STATION], None, "station", 5):
        response = client.post("/api/v1/stations/", data=json.dumps(body),
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 400, body
        error_of(response)
    patch = client.patch(f"/api/v1/instrument-versions/{world.draft.pk}/", data="null",
                         content_type="application/json")  # fmt: skip
    assert patch.status_code == 400
    answers = respondent_client(world, world.fresh_code).post(
        "/api/v1/respondent/pages/A/",
        {"answers": {"A1": {"nested": True}}},
        format="json",
    )
    assert answers.status_code == 400 and "A1" in error_of(answers)["errors"]
    assert snapshot() == before


def test_unknown_fields_are_refused_not_dropped(world: World):
    before = snapshot()
    client = api_client(world, "office")
    with_extra = client.post("/api/v1/stations/", {**STATION, "colour": "red"}, format="json")
    assert with_extra.status_code == 400
    assert (
        error_of(with_extra)["errors"] == {"colour": ["Unknown field."]}
        or "colour" in (with_extra.json()["errors"])
    )
    patch = client.patch(
        f"/api/v1/stations/{world.station_a.pk}/", {"frame_sise": 5}, format="json"
    )
    assert patch.status_code == 400 and "frame_sise" in error_of(patch)["errors"]
    publish = client.post(
        f"/api/v1/instrument-versions/{world.draft.pk}/publish/", {"force": True}, format="json"
    )
    assert publish.status_code == 400 and "force" in error_of(publish)["errors"]
    assert snapshot() == before


def test_oversized_bodies_are_413(world: World, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    before = snapshot()
    client = api_client(world, "office")
    big = json.dumps({**STATION, "address": "x" * 5000})
    response = client.post("/api/v1/stations/", data=big, content_type="application/json")
    assert response.status_code == 413
    error_of(response)
    from django.core.files.uploadedfile import SimpleUploadedFile

    roster = SimpleUploadedFile("r.csv", b"name,email\n" + b"a,a@example.cn\n" * 500)
    upload = api_client(world, "station").post(
        f"/api/v1/quotas/{world.quota_a.pk}/invitations/import/",
        {"file": roster},
        format="multipart",
    )
    assert upload.status_code == 413
    error_of(upload)
    assert snapshot() == before


@pytest.mark.parametrize("state", ["expired", "revoked", "unknown"])
def test_bad_tokens_are_401(world: World, state):
    token = ApiToken.objects.get(user=world.office)
    if state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(1))
    elif state == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    else:
        world.keys["office"] = "stp_" + "x" * 43
    before = snapshot()
    client = api_client(world, "office")
    response = client.post("/api/v1/stations/", STATION, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    detail = error_of(response)["detail"]
    assert ("expired" in detail) if state == "expired" else ("Invalid API token" in detail)
    assert client.get("/api/v1/stations/").status_code == 401
    assert snapshot() == before


def test_messages_are_translated(world: World):
    anonymous = api_client(None, None)
    zh = anonymous.get("/api/v1/stations/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["detail"]
    en = anonymous.get("/api/v1/stations/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert zh != en and en.startswith("Authentication credentials")
    assert api_client(world, "office").get(
        "/api/v1/nothing-here/", HTTP_ACCEPT_LANGUAGE="en"
    ).json() == {"detail": "Not found."}


def test_a_used_answer_code_changes_nothing(world: World):
    before = snapshot()
    entry = api_client(None, None).post(
        "/api/v1/respondent/session/", {"code": world.used_code.display}, format="json"
    )
    assert entry.status_code == 409 and "key" not in entry.json()
    client = respondent_client(world, world.used_code)
    form = client.get("/api/v1/respondent/form/", HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 409 and "already been submitted" in error_of(form)["detail"]
    page = client.post("/api/v1/respondent/pages/A/", {"answers": {"A1": "1"}},
                       format="json")  # fmt: skip
    assert page.status_code == 409
    submit = client.post(
        "/api/v1/respondent/submit/",
        {"client_submission_id": "0b7d9c1e-2f4a-4b8e-9d6c-3a5e7f9b1c2d"},
        format="json",
    )
    assert submit.status_code == 409
    error_of(submit)
    assert snapshot() == before


def test_invalid_answers_are_reported_and_not_stored(world: World):
    before = snapshot()
    client = respondent_client(world, world.fresh_code)
    response = client.post(
        "/api/v1/respondent/pages/A/",
        {"answers": {"A1": "7"}, "language": "en"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "not one of the options" in error_of(response)["errors"]["A1"][0]
    foreign = client.post(
        "/api/v1/respondent/pages/A/",
        {"answers": {"B9": "1"}},
        format="json",
    )
    assert foreign.status_code == 400
    assert snapshot() == before
