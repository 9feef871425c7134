"""The API's own behaviour: tokens, the respondent form, privacy of responses and codes,
the writes through the services, the schema's documentation and the local docs pages."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from survey_platform.api.models import ApiToken
from survey_platform.api.tokens import hash_key
from survey_platform.core.models import AuditAction, AuditEvent
from survey_platform.fieldwork import codes
from survey_platform.fieldwork.models import Invitation, InvitationState, Response
from survey_platform.network.models import Station
from tests.api.conftest import World, api_client
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


# --- tokens ---------------------------------------------------------------------------------


def test_token_is_shown_once_and_stored_only_as_hash(world: World):
    created = api_client(world, "station").post("/api/v1/tokens/", {"name": "cron", "days": 7},
                                               format="json")  # fmt: skip
    assert created.status_code == 201
    key = created.json()["key"]
    token = ApiToken.objects.get(pk=created.json()["id"])
    assert token.key_hash == hash_key(key) and key not in json.dumps(
        list(ApiToken.objects.values())
    , default=str)  # fmt: skip
    assert 6 <= (token.expires_at - timezone.now()).days <= 7
    listed = api_client(world, "station").get("/api/v1/tokens/").json()["results"]
    assert all("key" not in row for row in listed)
    client = api_client(None, None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/me/").json()["username"] == "officer_a"
    assert AuditEvent.objects.filter(object_type="api.apitoken", action=AuditAction.CREATE).exists()


def test_revoked_token_stops_working(world: World):
    client = api_client(world, "office")
    token_id = ApiToken.objects.get(user=world.office).pk
    assert client.delete(f"/api/v1/tokens/{token_id}/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_expired_token_is_refused(world: World):
    ApiToken.objects.filter(user=world.leader).update(expires_at=timezone.now() - timedelta(1))
    response = api_client(world, "leader").get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_management_command_creates_a_working_token(world: World):
    out = StringIO()
    call_command("create_api_token", "leader_one", "--days", "3", stdout=out, stderr=StringIO())
    key = out.getvalue().strip()
    client = api_client(None, None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/briefings/").status_code == 200
    with pytest.raises(Exception, match="1"):
        call_command("create_api_token", "leader_one", "--days", "999", stdout=StringIO())


def test_session_authentication_needs_csrf_for_writes(world: World):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.office)
    assert client.get("/api/v1/stations/").status_code == 200
    refused = client.post("/api/v1/stations/", {}, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]


# --- respondent -----------------------------------------------------------------------------


def test_respondent_saves_and_submits_once(world: World):
    client = api_client(None, None)
    started = client.post("/api/v1/respondent/session/", {"code": world.fresh_code.token},
                          format="json")  # fmt: skip
    assert started.status_code == 201
    key = started.json()["key"]
    assert world.fresh_code.token not in key
    client.credentials(HTTP_X_RESPONDENT_KEY=key)  # from now on the key, never the code
    form = client.get("/api/v1/respondent/form/").json()
    assert form["status"] == "new" and form["next_page"] == "A"
    body = {"answers": {"A1": "1", "A2": 3}, "seconds": 20}
    saved = client.post("/api/v1/respondent/pages/A/", body, format="json")
    assert saved.status_code == 200 and saved.json()["answers"] == {"A1": "1", "A2": 3}
    assert saved.json()["next_page"] is None
    resumed = client.get("/api/v1/respondent/form/").json()
    assert resumed["status"] == "partial" and resumed["answers"]["A2"] == 3
    sid = str(uuid.uuid4())
    quota = world.quota_a
    before = quota.completes
    done = client.post("/api/v1/respondent/submit/", {"client_submission_id": sid},
                       format="json")  # fmt: skip
    assert done.json() == {"status": "complete", "client_submission_id": sid, "replayed": False}
    response = Response.objects.get(submission_id=sid)
    assert response.status == "complete" and response.resume_hash is None
    invitation = world.fresh_code.invitation
    invitation.refresh_from_db()
    assert invitation.state == InvitationState.COMPLETED
    again = client.post("/api/v1/respondent/submit/", {"client_submission_id": sid},
                        format="json")  # fmt: skip
    assert again.status_code == 200 and again.json()["replayed"] is True
    other = client.post("/api/v1/respondent/submit/",
                        {"client_submission_id": str(uuid.uuid4())}, format="json")  # fmt: skip
    assert other.status_code == 409
    quota.refresh_from_db()
    assert quota.completes == before + 1
    assert Response.objects.filter(submission_id=sid).count() == 1


def test_open_link_gives_a_key_that_answers(world: World):
    from django.core.cache import cache

    cache.clear()  # the limits on new open-link keys
    client = api_client(None, None)
    started = client.post(f"/api/v1/respondent/open/{world.quota_a.open_token}/")
    assert started.status_code == 201
    key = started.json()["key"]
    assert world.quota_a.open_token not in key  # a key made by the server
    client.credentials(HTTP_X_RESPONDENT_KEY=key)
    assert client.get("/api/v1/respondent/form/").status_code == 200
    saved = client.post("/api/v1/respondent/pages/A/", {"answers": {"A1": "2"}},
                        format="json")  # fmt: skip
    assert saved.status_code == 200
    assert Response.objects.get(resume_hash__isnull=False, via_open_link=True).answers == {
        "A1": "2"
    }


# --- privacy --------------------------------------------------------------------------------


def test_responses_carry_no_answers_and_station_staff_see_little(world: World):
    # A complete response not yet released to the station (fewer than k since the last
    # release): the office lists it, the station does not.
    unreleased = Response.objects.create(wave=world.wave, station=world.station_a,
                                         instrument_version=world.version, answers={"A1": "1"},
                                         status="complete")  # fmt: skip
    office = api_client(world, "office").get("/api/v1/responses/").json()["results"]
    assert {row["id"] for row in office} == set(Response.objects.values_list("pk", flat=True))
    assert all("answers" not in row and "duration_seconds" in row for row in office)
    station = api_client(world, "station").get("/api/v1/responses/").json()["results"]
    assert {row["id"] for row in station} == set(
        Response.objects.filter(station=world.station_a, release__isnull=False).values_list(
            "pk", flat=True
        )
    )
    assert world.response_a.pk in {row["id"] for row in station}
    assert unreleased.pk not in {row["id"] for row in station}
    assert set(station[0]) == {"id", "wave", "station", "status", "submitted_on"}
    assert api_client(world, "leader").get("/api/v1/responses/").status_code == 403


def test_code_listing_shows_no_contact_data_and_is_audited(world: World):
    Invitation.objects.create(wave=world.wave, station=world.station_a, channel="email",
                              name="王五", email="wang@example.cn")  # fmt: skip
    rows = (
        api_client(world, "station")
        .get(f"/api/v1/quotas/{world.quota_a.pk}/invitations/")
        .json()["results"]
    )
    text = json.dumps(rows, ensure_ascii=False)
    assert "王五" not in text and "wang@example.cn" not in text
    # Codes are stored as hashes only: the listing says which invitations have one, and
    # shows no code or link at all (replaces: printed codes listed with their code).
    by_id = {row["id"]: row for row in rows}
    assert by_id[world.fresh_code.invitation.pk]["has_code"] is True
    assert by_id[world.used_code.invitation.pk]["has_code"] is True
    assert all(row["has_code"] is False for row in rows if row["channel"] == "email")
    assert all("short_code" not in row and "link" not in row for row in rows)
    for code in (world.fresh_code, world.used_code, world.started_code):
        assert code.token not in text and code.short_code not in text
        assert code.display not in text
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD,
                                     data__event="invitations_api").exists()  # fmt: skip


def test_wave_table_is_suppressed(world: World):
    rows = api_client(world, "office").get(f"/api/v1/waves/{world.wave.code}/results/").json()
    assert rows["count"] > 0
    for row in rows["results"]:
        assert row["suppressed"] and row["estimate"] is None  # two respondents: all too small


# --- writes through the services ------------------------------------------------------------


def test_station_written_through_the_service_and_audited(world: World):
    client = api_client(world, "office")
    created = client.post("/api/v1/stations/", {"name": "新站", "host_institution": "新单位",
                          "region": "341102", "sector": "university", "frame_size": 5},
                          format="json")  # fmt: skip
    assert created.status_code == 201
    station = Station.objects.get(pk=created.json()["id"])
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(station.pk)).exists()
    same_name = client.post("/api/v1/stations/", {"name": "新站", "host_institution": "x",
                            "region": "341102", "sector": "university", "frame_size": 5},
                            format="json", HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert same_name.status_code == 400
    assert "already exists" in json.dumps(same_name.json()["errors"])


def test_wave_lifecycle_through_the_api(world: World):
    client = api_client(world, "office")
    now = timezone.now()
    wave = client.post("/api/v1/waves/", {
        "code": "2030-T1", "title": "专题", "kind": "thematic",
        "instrument_version": world.version.pk,
        "opens_at": (now - timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=9)).isoformat(),
    }, format="json")  # fmt: skip
    assert wave.status_code == 201 and wave.json()["status"] == "draft"
    refused = client.post("/api/v1/waves/2030-T1/open/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409 and "quota" in refused.json()["detail"]
    quota = client.post("/api/v1/quotas/", {"wave": "2030-T1", "station": world.station_a.pk,
                        "target": 20}, format="json")  # fmt: skip
    assert quota.status_code == 201
    assert client.post("/api/v1/waves/2030-T1/open/").json()["status"] == "open"
    assert client.patch(f"/api/v1/quotas/{quota.json()['id']}/", {"target": 0},
                        format="json").status_code == 400  # fmt: skip


def test_roster_import_and_printed_codes(world: World):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_client(world, "station")
    roster = SimpleUploadedFile("r.csv", "name,email\n张三,zhang@example.cn\n".encode())
    result = client.post(f"/api/v1/quotas/{world.quota_a.pk}/invitations/import/",
                         {"file": roster, "send_emails": "false"}, format="multipart")  # fmt: skip
    assert result.status_code == 201
    assert result.json()["created"] == 1 and result.json()["emails_queued"] == 0
    bad = SimpleUploadedFile("r.csv", "name,email\n张三,not-an-address\n".encode())
    refused = client.post(f"/api/v1/quotas/{world.quota_a.pk}/invitations/import/",
                          {"file": bad}, format="multipart")  # fmt: skip
    assert refused.status_code == 400 and refused.json()["errors"]["file"]
    issued = client.post(f"/api/v1/quotas/{world.quota_a.pk}/invitations/issue/", {"count": 3},
                         format="json")  # fmt: skip
    assert issued.status_code == 201 and len(issued.json()) == 3
    assert all(row["short_code"] and row["link"] for row in issued.json())
    # The reply is the one place the codes appear: each opens its own new invitation.
    for row in issued.json():
        token = row["link"].rstrip("/").rsplit("/", 1)[-1]
        assert row["link"] == f"http://testserver/a/{token}/"
        assert codes.invitation_by_token(token).pk == row["id"]
        assert codes.invitation_by_short_code(row["short_code"]).pk == row["id"]
    listed = client.get(f"/api/v1/quotas/{world.quota_a.pk}/invitations/").content.decode()
    assert not any(row["short_code"] in listed for row in issued.json())


# --- documentation --------------------------------------------------------------------------


def test_every_operation_documents_permissions_and_an_example(world: World):
    document = json.loads(Client().get("/api/schema/?format=json").content)
    missing = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            text = operation.get("description", "")
            examples = [
                example
                for part in [operation.get("requestBody", {}), *operation["responses"].values()]
                for content in part.get("content", {}).values()
                for example in content.get("examples", {}).values()
            ] + [p for p in operation.get("parameters", []) if p.get("examples")]
            if "**Permissions:**" not in text or not examples or not operation.get("summary"):
                missing.append(f"{method.upper()} {path}")
    assert not missing, missing


def test_docs_pages_use_local_static_files(world: World):
    client = client_for(world.office)
    for url in ("/api/docs/", "/api/redoc/"):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "drf_spectacular_sidecar" in html
        assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
