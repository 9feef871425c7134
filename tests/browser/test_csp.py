"""The Content-Security-Policy in a real browser: no page reports a violation.

Chromium reports every refused script, style, frame or connection in the console and as a
``securitypolicyviolation`` event; an init script (run by the DevTools protocol, outside
the policy) records the events. The office and a station officer each walk their pages
(every same-site link from the home page, one level deep), the office opens the
questionnaire preview and the API docs (Swagger UI under the strict policy, ReDoc under its
own), and a respondent answers a page with JavaScript saving it in the background.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlparse

import pytest

from tests.browser.conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
RECORD = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile
    + ":" + e.lineNumber);
});
"""
# Pages that download a file or change something when merely opened.
SKIP = ("logout", "download", "pdf", "xlsx", "csv", "export", "poster", "qr", "/do/", "/i18n/")


class Watch:
    """A browser page that remembers every CSP violation and console complaint."""

    def __init__(self, context) -> None:
        context.add_init_script(RECORD)
        self.page = context.new_page()
        self.console: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def violations(self) -> list[str]:
        try:
            found = self.page.evaluate("window.__csp || []")
        except Exception:  # a page that is not a document (a download)
            found = []
        return [*found, *self.console]

    def visit(self, url: str) -> list[str]:
        self.console.clear()
        try:
            self.page.goto(url, wait_until="load")
        except Exception as exc:  # a download instead of a page
            if "Download is starting" in str(exc):
                return []
            raise
        self.page.wait_for_timeout(150)  # late style injections and deferred scripts
        return [f"{url}: {v}" for v in self.violations()]

    def links(self, base: str) -> list[str]:
        hrefs = self.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        host = urlparse(base).netloc
        out = []
        for href in hrefs:
            url = urljoin(base, href).split("#")[0]
            if urlparse(url).netloc == host and not any(s in url for s in SKIP):
                out.append(url)
        return out


def _walk(watch: Watch, base: str, start: str, limit: int = 30) -> list[str]:
    problems = watch.visit(base + start)
    seen = {base + start}
    for url in watch.links(base):
        if url in seen or len(seen) >= limit:
            continue
        seen.add(url)
        problems += watch.visit(url)
    assert len(seen) > 3, seen  # the walk reached real pages
    return problems


@pytest.fixture
def staff(office, officer_a, open_wave):
    office.is_staff = True
    office.save()
    return office, officer_a


def test_office_and_station_pages_report_no_violation(live_server, new_context, staff):
    office, officer = staff
    watch = Watch(new_context(viewport=DESKTOP))
    problems = watch.visit(live_server.url + "/accounts/login/")
    login(watch.page, live_server.url, office.username, PASSWORD)
    problems += _walk(watch, live_server.url, "/")
    problems += _walk(watch, live_server.url, "/admin/", limit=6)

    phone = Watch(new_context(viewport=PHONE))
    login(phone.page, live_server.url, officer.username, PASSWORD)
    problems += _walk(phone, live_server.url, "/fieldwork/my/")
    assert problems == []


def test_preview_and_publish_confirmation_work_under_the_policy(
    live_server, new_context, office, small_definition
):
    from instruments import services

    instrument = services.instrument_create(actor=office, code="csp", name="测试问卷")
    version = services.version_create(
        actor=office, instrument=instrument, definition=small_definition
    )
    watch = Watch(new_context(viewport=DESKTOP))
    login(watch.page, live_server.url, office.username, PASSWORD)
    problems = watch.visit(f"{live_server.url}/instruments/versions/{version.pk}/preview/")
    assert watch.page.is_hidden("#q-A2")
    watch.page.check("input[name=A1][value='1']")
    assert watch.page.is_visible("#q-A2")  # skip logic from the static script
    problems += watch.visit(f"{live_server.url}/instruments/versions/{version.pk}/")
    asked: list[str] = []
    watch.page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    watch.page.click("form[data-confirm] button")
    assert asked and watch.page.url.endswith(f"/versions/{version.pk}/")  # dismissed: stays
    version.refresh_from_db()
    assert version.published_at is None
    assert problems + watch.violations() == []


def test_api_docs_render_under_their_policies(live_server, new_context, office):
    watch = Watch(new_context(viewport=DESKTOP))
    login(watch.page, live_server.url, office.username, PASSWORD)
    problems = watch.visit(live_server.url + "/api/docs/")
    watch.page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    problems += watch.violations()
    problems += watch.visit(live_server.url + "/api/redoc/")
    watch.page.wait_for_selector("redoc .api-content, .redoc-wrap", timeout=30_000)
    watch.page.wait_for_timeout(500)
    # ReDoc's "API docs by Redocly" footer loads a logo from cdn.redoc.ly: the policy is
    # meant to block that (no third-party request from our pages); nothing else may fail.
    problems += [v for v in watch.violations() if "cdn.redoc.ly" not in v and "redoc.ly" not in v]
    assert problems == []


def _respondent_link(quota, office) -> str:
    """A fresh answer link for the quota's station (issued as the station would)."""
    from survey_platform.fieldwork import invitations

    issued = invitations.codes_issue(actor=office, quota=quota, count=1)
    return f"/a/{issued[0].token}/"


def test_respondent_form_with_javascript_saves_under_the_policy(
    live_server, new_context, office, quota_a
):
    watch = Watch(new_context(viewport=PHONE))
    problems = watch.visit(live_server.url + _respondent_link(quota_a, office))
    page = watch.page
    page.wait_for_selector("form.survey")
    page.check("input[name=A1][value='1']")
    with page.expect_response(lambda r: r.request.method == "POST") as saved:
        # "save and continue", or "submit" on a one-page questionnaire
        page.locator(".resp-nav [data-next]:visible, .resp-nav [data-finish]:visible").click()
    assert saved.value.status == 200
    page.wait_for_timeout(300)
    assert problems + watch.violations() == []
