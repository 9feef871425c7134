"""The respondent's first view on a slow phone connection, as a browser really loads it.

Serves the demo (``seed_demo``) with the **production settings** under gunicorn over HTTPS
(a throwaway self-signed certificate: browsers only offer brotli over HTTPS), after
``collectstatic`` (minified, compressed, content-hashed files), and opens a fresh answer
link in Debian's Chromium through Playwright with a cold cache, on a 390 px phone viewport,
under Chromium's network emulation of a slow mobile link (400 kbit/s both ways, 400 ms
latency) and 4x CPU slow-down. Prints, the median over ``--runs`` cold loads:

    BENCH respondent_first_view_transferred_bytes <n> bytes   every byte on the wire for
        the view: the redirect, the page, its styles, scripts and icon, headers included
        (Chromium's encodedDataLength); goal <= 25 KB (25,600 bytes)
    BENCH respondent_interactive_slow3g_ms <ms> ms   from the start of the navigation to the
        moment form.js has wired the questionnaire (its ``survey-ready`` performance mark);
        goal <= 3,000 ms

and, for information, what the same view weighs uncompressed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
GOAL_BYTES = 25 * 1024
GOAL_MS = 3000
LATENCY_MS = 400
KBIT_PER_S = 400
CPU_SLOWDOWN = 4
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


def prepare(folder: Path) -> tuple[dict[str, str], str]:
    """The demo database and collected static files; returns the server's environment and
    the path of a fresh answer link."""
    env = {
        **os.environ,
        "VAR_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "DJANGO_SETTINGS_MODULE": "survey_platform.settings.dev",
        "EMAIL_BACKEND": "console",
        "ANSWER_CODE_KEY": "bench-only-" + os.urandom(16).hex(),
    }
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    link = manage(env, "shell", "-c", ENTRY_LINK).strip().splitlines()[-1]
    env.update(
        DJANGO_SETTINGS_MODULE="survey_platform.settings.production",
        SECRET_KEY="bench-only-" + os.urandom(16).hex(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_HSTS_SECONDS="0",
    )
    manage(env, "collectstatic", "--noinput")
    return env, link


# A fresh, unanswered answer code of the demo's link station, as its path: demo_invitation
# issues a new code (an IssuedCode, the one moment its plaintext exists) to the first
# printed invitation nobody has opened yet.
ENTRY_LINK = """
from survey_platform.demo.fieldwork import DEMO_WAVE, demo_invitation
from survey_platform.fieldwork.models import Wave
print(f"/a/{demo_invitation(Wave.objects.get(code=DEMO_WAVE)).token}/")
"""


def certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def serve(folder: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    cert, key = certificate(folder)
    port = free_port()
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "survey_platform.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--certfile", str(cert), "--keyfile", str(key),
         "--access-logfile", "-"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"https://localhost:{port}"
    import ssl

    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", context=insecure, timeout=2)
            return server, base
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not answer within 60 s")


def one_load(browser: Any, url: str) -> dict[str, Any]:
    context = browser.new_context(
        ignore_https_errors=True,
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    rate = KBIT_PER_S * 1000 / 8
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": LATENCY_MS, "downloadThroughput": rate,
         "uploadThroughput": rate},
    )  # fmt: skip
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    wire: dict[str, float] = {}
    urls: dict[str, str] = {}
    encodings: dict[str, str] = {}

    def sent(event: dict[str, Any]) -> None:
        redirect = event.get("redirectResponse")
        if redirect:  # the redirect's own response, before the request id is reused
            wire[event["requestId"] + ":redirect"] = redirect.get("encodedDataLength", 0)
            urls[event["requestId"] + ":redirect"] = redirect["url"]
        urls[event["requestId"]] = event["request"]["url"]

    def received(event: dict[str, Any]) -> None:
        headers = {k.lower(): v for k, v in event["response"].get("headers", {}).items()}
        encodings[event["requestId"]] = headers.get("content-encoding", "-")

    def finished(event: dict[str, Any]) -> None:
        wire[event["requestId"]] = event["encodedDataLength"]

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="commit", timeout=60_000)
    # A selector, not wait_for_function: the page's Content-Security-Policy forbids eval.
    page.wait_for_selector("html[data-survey-ready]", state="attached", timeout=60_000)
    ready_ms = page.evaluate("performance.getEntriesByName('survey-ready')[0].startTime")
    page.wait_for_load_state("networkidle", timeout=60_000)
    # The form really is usable: choosing an answer is accepted.
    page.locator("input[name=A1]").first.check()
    context.close()
    return {
        "ready_ms": float(ready_ms),
        "bytes": int(sum(wire.values())),
        "parts": sorted(
            (urls.get(k, k).split("/", 3)[-1][:48], int(v), encodings.get(k, "-"))
            for k, v in wire.items()
        ),
    }


def uncompressed_bytes(base: str, path: str) -> int:
    """The view's page and assets without compression (for information)."""
    import re
    import ssl

    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE
    # The entry /a/<code>/ puts the respondent key in a cookie and redirects to the page,
    # which needs that cookie.
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=insecure), urllib.request.HTTPCookieProcessor()
    )
    html = opener.open(base + path, timeout=30).read()
    total = len(html)
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        total += len(opener.open(base + asset.decode(), timeout=30).read())
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        raise SystemExit("Chromium is missing: `make bench` installs it (make browser-deps).")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-first-view-") as tmp:
        folder = Path(tmp)
        env, link = prepare(folder)
        server, base = serve(folder, env)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                loads = []
                for _ in range(args.runs):
                    # Each load uses a code nobody has opened: the view a respondent first sees.
                    link = manage(env | {"DJANGO_SETTINGS_MODULE": "survey_platform.settings.dev"},
                                  "shell", "-c", ENTRY_LINK).strip().splitlines()[-1]  # fmt: skip
                    loads.append(one_load(browser, base + link))
                browser.close()
            plain = uncompressed_bytes(base, link)
        finally:
            server.terminate()
            server.wait(timeout=30)
    for name, size, encoding in loads[0]["parts"]:
        print(f"#   {name:<50} {size:>7} bytes on the wire  ({encoding})")
    ready = statistics.median(load["ready_ms"] for load in loads)
    wire = int(statistics.median(load["bytes"] for load in loads))
    print("# runs: " + ", ".join(f"{load['ready_ms']:.0f} ms/{load['bytes']} B" for load in loads))
    print(f"# uncompressed, the same page and assets: {plain} bytes")
    print(f"# profile: {KBIT_PER_S} kbit/s, {LATENCY_MS} ms latency, CPU x{CPU_SLOWDOWN}, "
          f"390 px phone, cold cache, HTTPS")  # fmt: skip
    print(f"BENCH respondent_first_view_transferred_bytes {wire} bytes")
    print(f"BENCH respondent_interactive_slow3g_ms {ready:.0f} ms")
    met = wire <= GOAL_BYTES and ready <= GOAL_MS
    print(f"# goals: <= {GOAL_BYTES} bytes and <= {GOAL_MS} ms: {'met' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
