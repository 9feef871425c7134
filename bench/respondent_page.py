"""Size of the first respondent page of the standard questionnaire: HTML + CSS + JS.

Goal: at most 60 KB (uncompressed) so the form opens quickly on a phone. Prints
`BENCH respondent_page_bytes <n> bytes` (and the gzip size for information).
"""

from __future__ import annotations

import gzip
import io
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="bench-page-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survey_platform.settings.test")
    import django

    django.setup()
    from django.contrib.staticfiles import finders
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    from survey_platform.demo.fieldwork import DEMO_WAVE, demo_invitation
    from survey_platform.fieldwork.models import Wave

    token = demo_invitation(Wave.objects.get(code=DEMO_WAVE)).token
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = client.get(f"/a/{token}/", follow=True)
    html = page.content
    assets = re.findall(rb'(?:href|src)="/static/([^"]+)"', html)
    parts = {"html": html}
    for asset in assets:
        if asset.endswith((b".css", b".js")):
            path = finders.find(asset.decode())
            assert path is not None, asset  # the page links only to existing static files
            parts[asset.decode()] = Path(path).read_bytes()
    total = sum(len(body) for body in parts.values())
    zipped = sum(len(gzip.compress(body)) for body in parts.values())
    for name, body in parts.items():
        print(f"  {name:<28} {len(body):>7} bytes")
    print(f"BENCH respondent_page_bytes {total} bytes")
    print(f"BENCH respondent_page_gzip_bytes {zipped} bytes")


if __name__ == "__main__":
    main()
