"""Stored versions: drafts change, published versions never do — through the services,
the model, bulk updates, the admin or the API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from instruments import services
from instruments.models import InstrumentVersion
from instruments.schema import from_dict
from instruments.xlsform import write_xlsform
from survey_platform.core.errors import Conflict
from survey_platform.core.models import AuditEvent
from tests.conftest import client_for


@pytest.fixture
def instrument(office):
    return services.instrument_create(actor=office, code="test-q", name="测试问卷", kind="quick")


@pytest.fixture
def draft(office, instrument, small_definition):
    return services.version_create(actor=office, instrument=instrument, definition=small_definition)


@pytest.fixture
def published(office, draft):
    return services.version_publish(actor=office, version=draft)


def test_versions_are_numbered_and_publish_freezes(office, instrument, small_definition, draft):
    assert draft.number == 1 and draft.status == "draft" and draft.checksum == ""
    version = services.version_publish(actor=office, version=draft)
    assert version.is_published and len(version.checksum) == 64
    assert version.checksum == from_dict(version.definition).checksum()
    assert AuditEvent.objects.filter(action="publish", object_id=str(version.pk)).exists()
    second = services.version_copy(actor=office, version=version)
    assert second.number == 2 and second.status == "draft" and second.based_on == version


def test_service_refuses_to_change_published(office, published, small_definition):
    small_definition["items"][0]["label"]["zh-hans"] = "改过的题干"
    with pytest.raises(Conflict):
        services.version_update_draft(actor=office, version=published, definition=small_definition)
    with pytest.raises(Conflict):
        services.version_publish(actor=office, version=published)
    with pytest.raises(Conflict):
        services.version_discard_draft(actor=office, version=published)
    published.refresh_from_db()
    assert published.definition["items"][0]["label"]["zh-hans"] == "您目前主持科研项目吗？"


def test_model_and_bulk_update_refuse_to_change_published(published):
    published.definition = {"changed": True}
    with pytest.raises(Conflict):
        published.save()
    with pytest.raises(Conflict):
        InstrumentVersion.objects.filter(pk=published.pk).update(definition={})
    with pytest.raises(Conflict):
        InstrumentVersion.objects.filter(pk=published.pk).update(status="draft")
    with pytest.raises(Conflict):
        InstrumentVersion.objects.get(pk=published.pk).delete()
    fresh = InstrumentVersion.objects.get(pk=published.pk)
    assert fresh.is_published and "changed" not in fresh.definition


def test_admin_cannot_change_published(office, published):
    client = client_for(office)
    url = reverse("admin:instruments_instrumentversion_change", args=[published.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="definition"' not in page.content.decode()  # shown read-only
    response = client.post(url, {"note": "x", "definition": "{}"})
    assert response.status_code == 403
    delete = client.post(
        reverse("admin:instruments_instrumentversion_delete", args=[published.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    published.refresh_from_db()
    assert published.note == "" and published.definition["items"]


def test_api_cannot_change_published(office, published, small_definition):
    client = client_for(office)
    url = f"/api/v1/instrument-versions/{published.pk}/"
    small_definition["items"][0]["label"]["en"] = "Changed"
    for method in ("put", "patch"):
        response = getattr(client, method)(
            url, {"definition": small_definition}, content_type="application/json"
        )
        assert response.status_code == 409, response.content
        assert (
            "cannot be changed" in response.json()["detail"]
            or "不能修改" in response.json()["detail"]
        )
    assert client.delete(url).status_code == 409
    assert client.post(url + "publish/").status_code == 409
    published.refresh_from_db()
    assert published.definition["items"][0]["label"]["en"] == "Do you lead a project?"


def test_api_draft_lifecycle(office, instrument, small_definition):
    client = client_for(office)
    created = client.post(
        "/api/v1/instrument-versions/",
        {"instrument": "test-q", "definition": small_definition},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    small_definition["items"][1]["max_value"] = 50
    updated = client.patch(
        f"/api/v1/instrument-versions/{pk}/",
        {"definition": small_definition},
        content_type="application/json",
    )
    assert (
        updated.status_code == 200 and updated.json()["definition"]["items"][1]["max_value"] == 50
    )
    published = client.post(f"/api/v1/instrument-versions/{pk}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    download = client.get(f"/api/v1/instrument-versions/{pk}/xlsform/")
    assert download.status_code == 200 and download.content[:2] == b"PK"


def test_api_refuses_bad_definition_with_locations(office, instrument, small_definition):
    small_definition["items"][0]["choices"] = "nope"
    small_definition["items"][1]["relevance"] = "${A1} = "
    response = client_for(office).post(
        "/api/v1/instrument-versions/",
        {"instrument": "test-q", "definition": small_definition},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    problems = response.json()["errors"]["definition"]
    assert any("items[0]" in p and "nope" in p for p in problems), problems
    assert any("items[1].relevance" in p for p in problems), problems
    assert not InstrumentVersion.objects.exists()


@pytest.mark.parametrize("user_fixture", ["leader", "officer_a"])
def test_api_is_office_only(request, user_fixture, draft):
    client = client_for(request.getfixturevalue(user_fixture))
    assert client.get("/api/v1/instrument-versions/").status_code == 403
    assert client.get(f"/api/v1/instrument-versions/{draft.pk}/").status_code == 403
    assert client.post(f"/api/v1/instrument-versions/{draft.pk}/publish/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_api_anonymous_refused(draft):
    from django.test import Client

    assert Client().get("/api/v1/instrument-versions/").status_code == 401


def test_xlsform_import_through_api(office, instrument, draft):
    data = write_xlsform(from_dict(draft.definition))
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("q.xlsx", data)
    response = client_for(office).post("/api/v1/instruments/test-q/import/", {"file": upload})
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2
    assert response.json()["definition"] == draft.definition


def test_service_error_messages_are_translated(office, published, small_definition):
    for language, text in (("zh-hans", "已发布的问卷版本不能修改"), ("en", "cannot be changed")):
        with translation.override(language), pytest.raises(Conflict) as err:
            services.version_update_draft(
                actor=office, version=published, definition=small_definition
            )
        assert text in err.value.message
