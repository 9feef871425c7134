from __future__ import annotations

from django.core.management import call_command


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/instrument-versions/{id}/publish/" in text


def test_schema_endpoint_served(office):
    from tests.conftest import client_for

    response = client_for(office).get("/api/schema/")
    assert response.status_code == 200
