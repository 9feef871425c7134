"""Pages and JSON leave compressed (brotli or gzip); static files are minified and served
from their precompressed copies (core/compression.py, core/staticfiles.py)."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import brotli
import pytest
from django.core.management import call_command
from django.test import Client

from survey_platform.core.compression import accepts_brotli
from survey_platform.core.staticfiles import minified
from tests.conftest import client_for

STATIC_ROOT_FILES = ("instruments/form.js", "instruments/logic.js", "css/site.css")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br, zstd", True),
        ("br", True),
        ("br;q=0.5, gzip", True),
        ("gzip, deflate", False),
        ("br;q=0, gzip", False),
        ("br;q=0.0", False),
        ("", False),
        ("brotli, gzip", False),
    ],
)
def test_accept_encoding_is_read_as_the_browser_meant_it(header: str, expected: bool) -> None:
    assert accepts_brotli(header) is expected


def test_a_page_is_brotli_compressed_for_a_browser_that_accepts_it(office) -> None:
    client = client_for(office)
    plain = client.get("/")
    assert plain.status_code == 200 and "Content-Encoding" not in plain
    packed = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "br"
    assert "Accept-Encoding" in packed["Vary"]
    html = brotli.decompress(packed.content).decode()
    assert "<html" in html and len(packed.content) < len(html.encode()) * 0.6


def test_gzip_when_brotli_is_not_offered(office) -> None:
    packed = client_for(office).get("/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(packed.content)


def test_json_from_the_api_is_compressed(office) -> None:
    response = client_for(office).get("/api/schema/", HTTP_ACCEPT_ENCODING="br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert b"openapi" in brotli.decompress(response.content)


def test_the_csrf_token_differs_in_every_compressed_response(office) -> None:
    # BREACH needs a secret that repeats from one response to the next: Django masks the
    # CSRF token afresh each time, compressed or not.
    client = client_for(office)
    pages = [brotli.decompress(client.get("/", HTTP_ACCEPT_ENCODING="br").content) for _ in "ab"]
    tokens = [p.split(b'name="csrfmiddlewaretoken" value="')[1][:64] for p in pages]
    assert tokens[0] != tokens[1]


def test_binary_and_short_responses_pass_through(office) -> None:
    client = client_for(office)
    short = client.get("/healthz", HTTP_ACCEPT_ENCODING="br")
    assert "Content-Encoding" not in short
    favicon = Client().get("/static/favicon.svg", HTTP_ACCEPT_ENCODING="br")
    # Not collected in the test settings: nothing to serve, and nothing compressed on the fly.
    assert "Content-Encoding" not in favicon


def test_minified_javascript_still_parses_and_keeps_its_strings() -> None:
    source = Path("instruments/static/instruments/logic.js").read_text(encoding="utf-8")
    small = minified("instruments/logic.js", source)
    assert len(small) < len(source) * 0.85
    node = shutil.which("node")
    assert node, "Node.js is missing: `make test` installs it"
    subprocess.run([node, "--check", "-"], input=small.encode(), check=True)
    assert minified("x.txt", source) == source


@pytest.fixture
def collected(settings, tmp_path) -> Path:
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "survey_platform.core.staticfiles.MinifiedCompressedStaticFilesStorage"
        },
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    return Path(settings.STATIC_ROOT)


def test_collectstatic_minifies_our_files_and_writes_compressed_copies(collected: Path) -> None:
    for name in STATIC_ROOT_FILES:
        source = next(Path(".").glob(f"*/static/{name}"))
        copy = collected / name
        assert copy.stat().st_size < source.stat().st_size, name
        assert (collected / f"{name}.br").is_file() and (collected / f"{name}.gz").is_file()
        assert brotli.decompress((collected / f"{name}.br").read_bytes()) == copy.read_bytes()
    # Third-party files are copied as they are.
    admin = collected / "admin/js/core.js"
    assert (
        admin.read_bytes()
        == Path(
            __import__("django").__path__[0], "contrib/admin/static/admin/js/core.js"
        ).read_bytes()
    )


def test_whitenoise_serves_the_precompressed_copies(collected: Path) -> None:
    client = Client()  # a new handler: WhiteNoise indexes the collected folder
    packed = client.get("/static/instruments/form.js", HTTP_ACCEPT_ENCODING="gzip, br")
    assert packed["Content-Encoding"] == "br"
    body = b"".join(packed.streaming_content)
    assert body == (collected / "instruments/form.js.br").read_bytes()
    zipped = client.get("/static/instruments/form.js", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    plain = client.get("/static/instruments/form.js")
    assert "Content-Encoding" not in plain
    assert b"".join(plain.streaming_content) == (collected / "instruments/form.js").read_bytes()


def test_every_profile_serves_static_files_compressed(monkeypatch) -> None:
    import importlib

    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("ANSWER_CODE_KEY", "y" * 50)
    monkeypatch.setenv("ALLOWED_HOSTS", "survey.example.cn")
    base = importlib.import_module("survey_platform.settings.base")
    production = importlib.import_module("survey_platform.settings.production")
    assert "survey_platform.core.compression.CompressionMiddleware" in base.MIDDLEWARE
    position = base.MIDDLEWARE.index
    assert position("whitenoise.middleware.WhiteNoiseMiddleware") < position(
        "survey_platform.core.compression.CompressionMiddleware"
    )
    assert base.STORAGES["staticfiles"]["BACKEND"].endswith("MinifiedCompressedStaticFilesStorage")
    assert production.STORAGES["staticfiles"]["BACKEND"].endswith(
        "MinifiedCompressedManifestStaticFilesStorage"
    )
    assert base.WHITENOISE_USE_FINDERS is False
