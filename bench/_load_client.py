"""Virtual respondents for bench/load.py: a browser's flow through the respondent form.

Both flows come in once through the personal link, ``GET /a/<code>/``: the server checks
the code, puts the signed respondent key into the ``sv_respondent`` cookie and redirects
to the page to continue on, ``/answer/<page>/`` (through ``/answer/`` when it sends there
first); from then on the key travels in the cookie and no URL holds the code.

Two flows, as the two kinds of browser take them. With JavaScript (:func:`complete_js`,
what a phone does): the entry, ``GET`` the page — the whole questionnaire comes with it,
each page section with its own signed form state — then for every page the same form POST
as without JavaScript, sent with ``Accept: application/json`` and answered with JSON
naming the next page (no redirect, no page render), and on the last shown page the
submit. Without JavaScript (:func:`complete`): the entry, ``GET`` the page (the CSRF
cookie, the masked token and the signed ``form_state`` come with it), then for every page
a ``POST`` of the page's answers with ``action=next`` and the ``GET`` of the page the
server redirects to, and on the last page the ``POST`` with ``action=submit`` and the
client's own ``submission_id`` (302 to /thanks/). Failed requests — a refused or cut
connection, a 5xx — are repeated with exponential backoff, the same fields and the same
submission id; a repeated submit answered with 409 "already submitted" means an earlier
attempt was stored, so it counts as acknowledged.

:func:`complete` takes any :class:`Transport`, so the smoke test drives the same code
through Django's test client. No Django import here: client processes stay light.
"""

from __future__ import annotations

import random
import re
import resource
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from bench._load_plan import Fields, RespondentPlan

RETRY_STATUSES = frozenset({500, 502, 503, 504})
MAX_ATTEMPTS = 10
BACKOFF_FIRST = 0.05
BACKOFF_MAX = 2.0
_INPUT = r'name="{name}" value="([^"]*)"'
_PAGE = re.compile(r"/answer/([^/]+)/$")
#: Where the entry may send the browser before the page: it redirects on to the page.
RESUME = "/answer/"


@dataclass(frozen=True)
class Reply:
    status: int
    location: str
    body: str


class TransportError(Exception):
    """The request got no HTTP answer (connection refused, reset, timed out)."""


class Transport(Protocol):
    def request(
        self, method: str, path: str, fields: Fields | None = None, *, json: bool = False
    ) -> Reply: ...


class HttpTransport:
    """HTTP/1.1 over a plain socket, with a cookie jar; the connection is kept while the
    server keeps it (gunicorn's sync workers close it after every reply).

    Hand-rolled rather than http.client: that parses every header block with the email
    package, and the clients share the two cores with the server they measure, so each
    client millisecond is one the server does not get. Enough HTTP for this server:
    Content-Length bodies (no chunked replies), one Set-Cookie per header line."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.sock: socket.socket | None = None

    def request(
        self, method: str, path: str, fields: Fields | None = None, *, json: bool = False
    ) -> Reply:
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines.append("Accept-Language: zh-hans")
        if json:
            lines.append("Accept: application/json")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if fields is not None:
            body = urlencode(fields).encode()
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        try:
            if self.sock is None:
                self.sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
            self.sock.sendall(data)
            status, headers, content = self._read()
        except (OSError, ValueError) as exc:
            self.close()
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        location = ""
        for name, value in headers:
            if name == "set-cookie":
                cookie, _, _attrs = value.partition(";")
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val.strip().strip('"')
            elif name == "location":
                location = value
            elif name == "connection" and value.lower() == "close":
                self.close()
        return Reply(status, location, content.decode())

    def _read(self) -> tuple[int, list[tuple[str, str]], bytes]:
        assert self.sock is not None
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("closed before the reply's headers")
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = []
        length = 0
        for line in header_lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            headers.append((name, value))
            if name == "content-length":
                length = int(value)
        chunks = [rest]
        have = len(rest)
        while have < length:
            chunk = self.sock.recv(max(65536, length - have))
            if not chunk:
                raise ConnectionResetError("closed in the middle of the reply")
            chunks.append(chunk)
            have += len(chunk)
        return status, headers, b"".join(chunks)[:length]

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


@dataclass
class Tally:
    """What one respondent's requests did: (kind, start, seconds, retries) per request."""

    records: list[tuple[str, float, float, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    #: Stopped at the run's deadline before submitting (not an error).
    unfinished: bool = False


class RequestFailed(Exception):
    """A request failed for good: unexpected status, or no success after MAX_ATTEMPTS."""


class OutOfTime(Exception):
    """The run's deadline passed before this respondent submitted."""


def complete(
    transport: Transport,
    plan: RespondentPlan,
    *,
    tally: Tally,
    think: Callable[[], None] = lambda: None,
    on_submitted: Callable[[], None] = lambda: None,
    sleep: Callable[[float], None] = time.sleep,
    deadline: float = float("inf"),
) -> bool:
    """Answer and submit the whole questionnaire. True when the submit was acknowledged;
    False after a request failed for good (the failure is in ``tally.errors``) or when
    ``deadline`` (time.monotonic) passed before the next page save (``tally.unfinished``)."""
    try:
        path = _enter(transport, tally, plan, sleep)
        form = _call(transport, tally, "page", "GET", path, expect=200, sleep=sleep)
        for _step in range(len(plan.pages) + 1):
            think()
            if time.monotonic() > deadline:
                raise OutOfTime()
            code = _page_code(path)
            submit = 'name="action" value="submit"' in form.body
            fields = page_post(plan, code, form.body, "submit" if submit else "next")
            kind = "submit" if submit else "save"
            moved = _call(transport, tally, kind, "POST", path, fields, expect=302, sleep=sleep)
            if submit:
                on_submitted()
                return True
            path = moved.location
            form = _call(transport, tally, "page", "GET", path, expect=200, sleep=sleep)
        raise RequestFailed(f"no submit button after {len(plan.pages)} pages")
    except RequestFailed as exc:
        tally.errors.append(str(exc))
        return False
    except OutOfTime:
        tally.unfinished = True
        return False


def complete_js(
    transport: Transport,
    plan: RespondentPlan,
    *,
    tally: Tally,
    think: Callable[[], None] = lambda: None,
    on_submitted: Callable[[], None] = lambda: None,
    sleep: Callable[[float], None] = time.sleep,
    deadline: float = float("inf"),
) -> bool:
    """:func:`complete` as a browser with JavaScript does it: one page view, then a JSON
    page save per shown page; the last one is the submit."""
    try:
        path = _enter(transport, tally, plan, sleep)
        form = _call(transport, tally, "page", "GET", path, expect=200, sleep=sleep)
        states = page_states(form.body)
        base = path.rsplit("/", 2)[0] + "/"
        code = _page_code(path)
        for _step in range(len(plan.shown_pages) + 1):
            think()
            if time.monotonic() > deadline:
                raise OutOfTime()
            submit = code == plan.shown_pages[-1]
            if code not in states:
                raise RequestFailed(f"no form state for page {code!r} in the page")
            fields = js_page_post(plan, code, form.body, states[code], submit)
            kind = "submit" if submit else "save"
            reply = _call(
                transport, tally, kind, "POST", f"{base}{code}/", fields, expect=200,
                sleep=sleep, json=True,
            )  # fmt: skip
            if submit:
                on_submitted()
                return True
            code = _json(reply).get("page", "")
        raise RequestFailed(f"no submit after {len(plan.shown_pages)} pages")
    except RequestFailed as exc:
        tally.errors.append(str(exc))
        return False
    except OutOfTime:
        tally.unfinished = True
        return False


def _enter(
    transport: Transport, tally: Tally, plan: RespondentPlan, sleep: Callable[[float], None]
) -> str:
    """The entry through the personal link: the key cookie is set, and the path of the
    page to answer (without the code) is returned."""
    start = _call(transport, tally, "start", "GET", f"/a/{plan.token}/", expect=302, sleep=sleep)
    path = _path(start.location)
    if path == RESUME:
        resumed = _call(transport, tally, "resume", "GET", path, expect=302, sleep=sleep)
        path = _path(resumed.location)
    if plan.token in path:
        raise RequestFailed("the code is still in the page's address")
    return path


def _path(location: str) -> str:
    """A redirect's path (the server may answer with an absolute URL)."""
    if "://" in location:
        location = "/" + location.split("://", 1)[1].partition("/")[2]
    return location


_SECTION = re.compile(r"<section\b[^>]*>")
_ATTR = re.compile(r'(data-page|data-form-state)="([^"]*)"')


def page_states(html: str) -> dict[str, str]:
    """Page code → its signed form state, from the page sections of the questionnaire."""
    states = {}
    for tag in _SECTION.findall(html):
        attrs = dict(_ATTR.findall(tag))
        if "data-page" in attrs and "data-form-state" in attrs:
            states[attrs["data-page"]] = attrs["data-form-state"]
    return states


def js_page_post(plan: RespondentPlan, page: str, html: str, state: str, submit: bool) -> Fields:
    """What form.js posts for ``page``: the page's answers and its own form state."""
    if page not in plan.pages:
        raise RequestFailed(f"the server named page {page!r}, unknown to the plan")
    return [
        ("csrfmiddlewaretoken", _hidden(html, "csrfmiddlewaretoken")),
        ("form_state", state),
        ("submission_id", plan.submission_id),
        ("action", "submit" if submit else "next"),
        *plan.pages[page],
    ]


def _json(reply: Reply) -> dict[str, Any]:
    import json

    try:
        data = json.loads(reply.body)
    except ValueError as exc:
        raise RequestFailed(f"not JSON: {reply.body[:80]!r}") from exc
    if not isinstance(data, dict):
        raise RequestFailed(f"unexpected JSON: {reply.body[:80]!r}")
    return data


def page_post(plan: RespondentPlan, page: str, html: str, action: str) -> Fields:
    """The body a browser posts for ``page``: the answers plus the form's hidden fields,
    with the client's own submission id (stable across retries)."""
    if page not in plan.pages:
        raise RequestFailed(f"the server showed page {page!r}, unknown to the plan")
    return [
        ("csrfmiddlewaretoken", _hidden(html, "csrfmiddlewaretoken")),
        ("form_state", _hidden(html, "form_state")),
        ("submission_id", plan.submission_id),
        ("action", action),
        *plan.pages[page],
    ]


def _hidden(html: str, name: str) -> str:
    found = re.search(_INPUT.format(name=name), html)
    if found is None:
        raise RequestFailed(f"no {name} in the page")
    return found.group(1)


def _page_code(path: str) -> str:
    found = _PAGE.search(path)
    if found is None:
        raise RequestFailed(f"unexpected redirect to {path!r}")
    return found.group(1)


def _call(
    transport: Transport,
    tally: Tally,
    kind: str,
    method: str,
    path: str,
    fields: Fields | None = None,
    *,
    expect: int,
    sleep: Callable[[float], None],
    json: bool = False,
) -> Reply:
    start = time.monotonic()
    problem = ""
    for attempt in range(MAX_ATTEMPTS):
        if attempt:
            tally.retries += 1
            sleep(min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (attempt - 1)) * random.uniform(0.5, 1))
        try:
            reply = transport.request(method, path, fields, json=json)
        except TransportError as exc:
            problem = str(exc)
            continue
        if reply.status in RETRY_STATUSES:
            problem = f"HTTP {reply.status}"
            continue
        if reply.status == 409 and kind == "submit" and attempt:
            # "Already submitted" to a repeated submit: an earlier attempt was stored.
            reply = Reply(expect, "/thanks/", reply.body)
        if reply.status != expect:
            raise RequestFailed(f"{method} {kind}: HTTP {reply.status} (expected {expect})")
        tally.records.append((kind, start, time.monotonic() - start, attempt))
        return reply
    raise RequestFailed(f"{method} {kind}: gave up after {MAX_ATTEMPTS} attempts ({problem})")


# --- a client process: seats on threads, respondents passing through them ---------------


class Pacer:
    """Spaces one seat's page saves ``interval`` seconds apart on average (uniform ±50%),
    counted from the previous save, so C seats offer C / interval saves per second while
    the server keeps up; a seat that has fallen behind goes on at once (no catching up)."""

    def __init__(self, interval: float, rng: random.Random) -> None:
        self.interval = interval
        self.rng = rng
        self.due = 0.0

    def __call__(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.due > now:
            time.sleep(self.due - now)
            now = self.due
        self.due = now + self.interval * self.rng.uniform(0.5, 1.5)


def run_respondents(
    port: int,
    plans: list[RespondentPlan],
    *,
    seats: int,
    interval: float,
    ramp: float = 0.0,
    seed: int,
    submitted: Any = None,
    start_at: float = 0.0,
    deadline: float = float("inf"),
    javascript: bool = True,
) -> dict[str, Any]:
    """Run ``plans`` in this process through ``seats`` threads, each answering one
    respondent after the other (the next one starts as soon as a seat is free). Seats
    start at random moments within ``ramp`` seconds (at least ``interval``) after
    ``start_at`` (time.monotonic). ``submitted``: a shared counter (multiprocessing.Value) of
    acknowledged submits, for the fault injector."""
    began = resource.getrusage(resource.RUSAGE_SELF)  # not the imports and the plans
    rng = random.Random(seed)
    results: list[dict[str, Any]] = []
    waiting = list(reversed(plans))
    lock = threading.Lock()

    def on_submitted() -> None:
        if submitted is not None:
            with submitted.get_lock():
                submitted.value += 1

    def next_plan() -> RespondentPlan | None:
        with lock:
            return waiting.pop() if waiting and time.monotonic() < deadline else None

    def seat(offset: float, pace: Pacer) -> None:
        delay = start_at + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        while (plan := next_plan()) is not None:
            transport = HttpTransport(port)
            tally = Tally()
            ok = (complete_js if javascript else complete)(
                transport,
                plan,
                tally=tally,
                think=pace,
                on_submitted=on_submitted,
                deadline=deadline,
            )
            transport.close()
            with lock:
                results.append(_outcome(plan, ok, tally))

    threads = [
        threading.Thread(
            target=seat,
            args=(
                rng.uniform(0, max(ramp, interval)),
                Pacer(interval, random.Random(rng.getrandbits(32))),
            ),
            daemon=True,
        )
        for _ in range(min(seats, len(plans)))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.extend(_outcome(plan, False, Tally(unfinished=True)) for plan in waiting)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - began.ru_utime - began.ru_stime
    return {"outcomes": results, "cpu": cpu}


def _outcome(plan: RespondentPlan, ok: bool, tally: Tally) -> dict[str, Any]:
    return {
        "token": plan.token,
        "station": plan.station,
        "submission_id": plan.submission_id,
        "checksum": plan.checksum,
        "acknowledged": ok,
        "records": tally.records,
        "errors": tally.errors,
        "retries": tally.retries,
        "unfinished": tally.unfinished,
    }
