"""What hostile uploads cost the web process: time and peak-memory growth per file.

Builds a throwaway database (SQLite in a temporary folder), a station with an open wave
and a questionnaire, then posts each hostile file of tests/security/bombs.py — generated
here, before the clock starts — to the station's roster import page and to the office's
XLSForm import page through Django's test client, in this process, and prints

    BENCH upload_bomb_<path>_<name>_seconds <s> s
    BENCH upload_bomb_<path>_<name>_rss_growth_mib <x> MiB

where <path> is ``roster`` or ``xlsform``. The memory figure is the growth of this
process's peak resident set while it handled the request (the kernel's high-water mark
is reset before each one), so the child process that parses a workbook is not in it, by
design. Each refusal's status is checked (400) and its message printed as a comment.
A legitimate roster and the standard questionnaire are measured too, for comparison.

    .venv/bin/python bench/upload_bombs.py [--only xxe,blank_rows]
"""

from __future__ import annotations

import argparse
import importlib
import io
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STANDARD = ROOT / "instruments" / "standard" / "standard_questionnaire.xlsx"
LEGIT_ROSTER = "姓名,邮箱,职称\n" + "".join(f"人员{i},p{i}@example.cn,中级\n" for i in range(2000))


def configure(folder: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "survey_platform.settings.test"
    os.environ["VAR_DIR"] = folder
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, in-memory e-mail
    logging.getLogger("django.request").setLevel(logging.ERROR)  # one line per 400


def setup() -> tuple[Any, Any, Any]:
    """The office user, a station officer and their quota in an open wave."""
    # The test suite's own factories and fixtures data, imported by name: they are
    # untyped, and the benchmark should not make mypy check the tests.
    conftest = importlib.import_module("tests.conftest")
    factories = importlib.import_module("tests.factories")
    invitations = importlib.import_module("tests.fieldwork.test_invitations")
    office = factories.office_user(username="bench_office")
    station = factories.StationFactory(name="基准站", host_institution="基准单位")
    officer = factories.MembershipFactory(station=station, user__username="bench_officer").user
    (quota,) = invitations.make_quotas(office, conftest.SMALL, [station])
    return office, officer, quota


def upload(name: str, data: bytes) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def measure(post: Callable[[], Any]) -> tuple[Any, float, float]:
    """The response, and the seconds and peak-memory growth of producing it."""
    from tests.security.bombs import PeakMemory

    started = time.perf_counter()
    with PeakMemory() as memory:
        response = post()
    return response, time.perf_counter() - started, memory.growth_mib


def report(label: str, measured: tuple[Any, float, float], expect: int) -> None:
    response, seconds, growth = measured
    text = re.sub(r"\s+", " ", _message(response))[:160]
    status = response.status_code
    flag = "" if status == expect else f" (expected {expect})"
    print(f"# {label}: {status}{flag} {text}")
    print(f"BENCH upload_bomb_{label}_seconds {seconds:.2f} s")
    print(f"BENCH upload_bomb_{label}_rss_growth_mib {growth:.1f} MiB")
    sys.stdout.flush()


def _message(response: Any) -> str:
    """The refusal shown on the page (the first entry of its alert box), or the redirect."""
    if response.status_code in (301, 302):
        return "-> " + response["Location"]
    box = re.search(r'role="alert"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    lines = re.findall(r"<(?:p|li)>(.*?)</(?:p|li)>", box.group(1), re.S) if box else []
    return " | ".join(re.sub(r"<[^>]+>", "", line).strip() for line in lines[-1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated file names")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        configure(folder)
        run(set(filter(None, args.only.split(","))))


def run(only: set[str]) -> None:
    from django.test import Client
    from django.urls import reverse

    from survey_platform.fieldwork.models import Invitation
    from tests.security import bombs

    office, officer, quota = setup()
    station_client, office_client = Client(), Client()
    station_client.force_login(officer)
    office_client.force_login(office)
    roster_url = reverse("fieldwork:roster-import", args=[quota.pk])
    xlsform_url = reverse("instruments:list")

    def post_roster(name: str, data: bytes) -> tuple[Any, float, float]:
        form = {"file": upload(name, data), "language": "zh-hans", "send_emails": ""}
        return measure(lambda: station_client.post(roster_url, form))

    def post_xlsform(name: str, data: bytes) -> tuple[Any, float, float]:
        form = {"file": upload(name, data), "kind": "standard"}
        return measure(lambda: office_client.post(xlsform_url, form))

    # Warm up (first imports, translations, the first child process), then the baselines.
    post_roster("warm.csv", "姓名\n甲\n".encode())
    post_xlsform("warm.xlsx", b"PK")
    report("roster_legit_csv", post_roster("r.csv", LEGIT_ROSTER.encode()), expect=302)
    report("xlsform_standard", post_xlsform("std.xlsx", STANDARD.read_bytes()), expect=302)
    Invitation.objects.all().delete()

    cases = {**bombs.WORKBOOKS, **bombs.CSVS}
    for case, make in cases.items():
        if only and case not in only:
            continue
        name, data = make()
        report(f"roster_{case}", post_roster(name, data), expect=400)
        if case in bombs.WORKBOOKS:
            report(f"xlsform_{case}", post_xlsform(name, data), expect=400)
    assert not Invitation.objects.exists(), "a hostile roster created invitations"


if __name__ == "__main__":
    main()
