"""weasyprint loads only data: URLs and the project's static files and fonts: a template
that names /etc/passwd, an http URL or a ../ traversal gets none of them, while the real
briefing still renders with its fonts and its (inline) chart images."""

from __future__ import annotations

import http.server
import threading
import urllib.request
from pathlib import Path

import pytest
from weasyprint.urls import path2url

from reports import pdf
from reports.pdf_fetcher import ProjectFilesFetcher, allowed_roots, base_url, static_dirs

ROOT = Path(__file__).resolve().parents[2]
SITE_CSS = ROOT / "survey_platform" / "static" / "css" / "site.css"
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def listener():
    """A local HTTP server that counts the requests it gets (none may arrive)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_static_folders_and_fonts_are_the_roots():
    roots = allowed_roots()
    assert SITE_CSS.parent.parent.resolve() in roots
    assert all(root != Path("/").resolve() for root in roots)
    assert not any(Path("/etc").resolve().is_relative_to(root) for root in roots)


def test_data_and_static_files_are_served():
    fetcher = ProjectFilesFetcher()
    image = fetcher.fetch(PIXEL)
    assert image.read().startswith(b"\x89PNG")
    image.close()
    css = fetcher.fetch(path2url(str(SITE_CSS)))
    assert b"{" in css.read()
    css.close()
    assert fetcher.refused == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://evil.example/etc/passwd",
        "file:etc/passwd",
        path2url(str(SITE_CSS)) + "/../../../../../../etc/passwd",
        path2url(str(SITE_CSS.parent)) + "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        path2url(str(ROOT / "survey_platform" / "settings" / "base.py")),
        path2url(str(ROOT / "var" / "db.sqlite3")),
        "http://127.0.0.1:9/x.png",
        "https://example.com/x.png",
        "ftp://example.com/x.png",
        "gopher://example.com/",
    ],
)
def test_everything_else_is_refused(url):
    fetcher = ProjectFilesFetcher()
    with pytest.raises(Exception, match="refused"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_a_symlink_out_of_a_static_folder_is_refused(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "passwd.css").symlink_to("/etc/passwd")
    fetcher = ProjectFilesFetcher(roots=[static])
    with pytest.raises(Exception, match="refused"):
        fetcher.fetch(path2url(str(static / "passwd.css")))


def test_hostile_template_loads_nothing(listener, monkeypatch, tmp_path):
    """A document naming /etc/passwd, an http URL and a ../ traversal: none is opened
    (urllib's opener sees data: URLs only; the listener gets no request)."""
    from weasyprint import HTML

    url, hits = listener
    opened: list[str] = []
    real_open = urllib.request.OpenerDirector.open

    def spy(self, request, *args, **kwargs):
        opened.append(request if isinstance(request, str) else request.full_url)
        return real_open(self, request, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    html = f"""<html><head>
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="stylesheet" href="../../../../../../../../etc/passwd">
      <link rel="stylesheet" href="{url}/style.css">
      <style>@import url("{url}/import.css"); @font-face {{ font-family: X;
        src: url("file:///etc/shadow"); }}</style></head>
      <body><p>x</p><img src="file:///etc/passwd"><img src="{url}/tracker.png">
      <img src="../../../../../../../etc/hostname"><img src="{PIXEL}"></body></html>"""
    fetcher = ProjectFilesFetcher()
    data = HTML(string=html, url_fetcher=fetcher, base_url=base_url()).write_pdf()
    assert data.startswith(b"%PDF")
    assert hits == []
    assert all(u.startswith("data:") for u in opened), opened
    assert any("/etc/passwd" in u for u in fetcher.refused)
    assert any(u.startswith(url) for u in fetcher.refused)
    assert any(u.endswith("etc/hostname") for u in fetcher.refused)
    assert b"root:" not in data


def test_the_pdf_module_uses_the_fetcher(monkeypatch):
    """reports.pdf hands weasyprint this fetcher and a base inside the static folder."""
    import weasyprint

    seen: dict[str, object] = {}
    real = weasyprint.HTML

    def recording(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", recording)
    monkeypatch.setattr(pdf, "render_to_string", lambda *a, **k: "<p>x</p>")
    monkeypatch.setattr(pdf, "required_fonts", lambda: {})
    rendered = pdf.render_document("any.html", {}, "en")
    assert rendered.pages == 1
    assert isinstance(seen["url_fetcher"], ProjectFilesFetcher)
    assert str(seen["base_url"]).startswith(path2url(str(static_dirs()[0])))


@pytest.mark.django_db
def test_the_real_briefing_renders_with_fonts_and_images(
    wave, office, django_capture_on_commit_callbacks, caplog
):
    from pypdf import PdfReader

    from reports import services
    from reports.models import Briefing

    from .helpers import embedded_fonts

    with django_capture_on_commit_callbacks(execute=True):
        job = services.briefing_generate(wave=wave, language="zh-hans", actor=office)
    data = Briefing.objects.get(job=job).pdf.read()
    assert embedded_fonts(data)  # the CJK fonts are embedded
    images = 0
    for page in PdfReader(__import__("io").BytesIO(data)).pages:
        images += len(page.images)
    xobjects = data.count(b"/Subtype /Form") + data.count(b"/Subtype /Image") + images
    assert xobjects > 0  # the charts (data: SVG) are drawn
    assert "PDF resource refused" not in caplog.text
