"""Acceptance (issue 10, part 6): the staff journeys in a real browser.

- A station officer, on a phone (375 px, Chinese) and at a desk (1280 px, English), opens
  the wave from "My survey waves", imports a roster (CSV on the phone, Excel at the desk),
  issues printed answer codes (their slips download at once: the one time the codes are
  shown), downloads the slips of the roster's people without e-mail, the QR code and the
  poster; the page lists who has a code but no code; another station's quota is a 404.
- The office creates a wave, sets a quota, opens it and watches the fieldwork monitor;
  then generates the 2026-Q4 briefing, follows the job to done, previews, approves and
  delivers it.
- A leader finds the delivered issue in the portal, downloads its PDF, and is refused the
  pages that show raw responses.

Everything is done by clicking and typing; the ORM is read only to check the results.
"""

from __future__ import annotations

import copy
import csv
import io
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from instruments.models import Instrument
from reports.models import Briefing, BriefingStatus
from survey_platform.demo.fieldwork import DEMO_WAVE
from survey_platform.fieldwork import codes
from survey_platform.fieldwork.models import FIELD_TZ, Invitation, StationQuota, Wave
from survey_platform.jobs.models import Job
from survey_platform.jobs.services import job_execute
from tests.browser.conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
SLOW = 90_000  # ms; a PDF or a briefing may wait for a CPU shared with another test run
LOADED_IMAGE = (
    "sel => { const i = document.querySelector(sel); return i.complete && i.naturalWidth > 0; }"
)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
STATION_A = ("station_a", "station-a-demo-2026")
OFFICE = ("office", "office-demo-2026")
LEADER = ("leader", "leader-demo-2026")

#: What the officer clicks and reads, in the two interface languages.
OFFICER_TEXT = {
    "zh-CN": {"my_waves": "我的调查轮次", "codes": "答题码", "import": "导入",
              "issue": "生成答题码并下载答题卡（PDF）", "slips": "下载他们的答题卡",
              "poster": "海报（PDF）", "qr": "二维码（PNG）", "send": "发送邀请邮件"},
    "en-US": {"my_waves": "My survey waves", "codes": "Answer codes", "import": "Import",
              "issue": "Issue codes and download the slips (PDF)",
              "slips": "Download their slips", "poster": "Poster (PDF)",
              "qr": "QR code (PNG)", "send": "Send invitation e-mails"},
}  # fmt: skip

# A phone roster in Chinese headers (CSV) and a desk roster in English headers (Excel).
# 测试乙 is in both: the second import merges him instead of inviting him twice.
PHONE_ROSTER = [
    ["姓名", "邮箱", "手机", "职称", "年龄组"],
    ["测试甲", "jia.test@example.com", "154 0000 0001", "副高", "35-44岁"],
    ["测试乙", "yi.test@example.org", "", "中级", "35岁以下"],
    ["测试丙", "", "15400000003", "初级", "45-54岁"],
]
DESK_ROSTER = [
    ["name", "email", "phone", "title", "age_group"],
    ["测试乙", "YI.test@example.org", "", "中级", "35岁以下"],
    ["测试丁", "ding.test@example.net", "", "正高", "55岁及以上"],
    ["测试戊", "", "15400000005", "无", "35岁以下"],
]


def _seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def _first_int(text: str) -> int:
    match = re.search(r"\d+", text)
    assert match, text
    return int(match.group())


def _download(page, click) -> tuple[str, bytes]:
    with page.expect_download(timeout=SLOW) as info:
        click()
    download = info.value
    assert download.failure() is None
    return download.suggested_filename, Path(download.path()).read_bytes()


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


# --- the station officer ------------------------------------------------------------------


def _state_total(page) -> int:
    return _first_int(page.locator("#state-counts > div").first.locator("dd").inner_text())


SLIPS_FORM = "#printed-codes form[action$='/invitations/slips/']"


def _unprinted(page) -> int:
    """Roster people without e-mail who have no slip yet (the form shows only if any)."""
    slips = page.locator(SLIPS_FORM)
    return _first_int(slips.locator("span").inner_text()) if slips.count() else 0


def _unsent_emails(page) -> int:
    return _first_int(page.locator("#emails form").first.locator("span").inner_text())


def _open_codes_page(page, base: str, text: dict[str, str], station: str) -> None:
    page.get_by_role("link", name=text["my_waves"], exact=True).click()
    row = page.locator("#my-quotas tbody tr").filter(has_text=DEMO_WAVE).filter(has_text=station)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=text["codes"], exact=True).click()
    expect(page.locator("h1")).to_contain_text(station)
    assert re.search(r"/fieldwork/quotas/\d+/invitations/$", page.url), page.url


def _import(page, text: dict[str, str], roster: Path, *, send_now: bool) -> None:
    form = page.locator("#roster-import form")
    form.locator("input[type=file]").set_input_files(str(roster))
    form.locator("input[type=checkbox]").set_checked(send_now)
    with page.expect_navigation():
        form.get_by_role("button", name=text["import"], exact=True).click()
    expect(page.locator(".messages .msg-success").first).to_be_visible()
    expect(page.locator("#import-errors")).to_have_count(0)


SHORT_CODE = re.compile(r"[A-Z0-9]{5}-[A-Z0-9]{5}")


def _slip_codes(pdf: bytes) -> list[str]:
    """The short codes printed on a PDF of slips, in order."""
    return SHORT_CODE.findall(re.sub(r"\s+", "", _pdf_text(pdf)))


def _issue_codes(page, text: dict[str, str], count: int) -> tuple[str, bytes]:
    """Issue printed codes: the answer is their slips' PDF, downloaded at once."""
    form = page.locator("#printed-codes form[action$='/invitations/issue/']")
    form.locator("input[name=count]").fill(str(count))
    return _download(page, form.get_by_role("button", name=text["issue"], exact=True).click)


def _print_roster_slips(page, text: dict[str, str]) -> tuple[str, bytes]:
    button = page.locator(SLIPS_FORM).get_by_role("button", name=re.compile(text["slips"]))
    return _download(page, button.click)


def _check_slips(pdf: bytes, name: str, quota: StationQuota, count: int) -> list[Invitation]:
    """The PDF holds ``count`` slips (ten to an A4), each with a code that opens its own
    invitation of this station; the file is named after the first of them."""
    printed = _slip_codes(pdf)
    assert len(printed) == len(set(printed)) == count, printed
    assert len(PdfReader(io.BytesIO(pdf)).pages) == -(-count // 10)
    opened = [codes.invitation_by_short_code(code) for code in printed]
    assert all(inv is not None and inv.station_id == quota.station_id for inv in opened)
    assert name == f"answer-codes-{DEMO_WAVE}-{quota.pk}-{opened[0].pk}.pdf"
    return opened


def _check_poster_downloads(page, base: str, text: dict[str, str], quota: StationQuota) -> None:
    open_link = page.locator("#open-link code").inner_text().strip()
    assert open_link == f"{base}/s/{quota.open_token}/"
    qr_image = page.locator("#open-link img")
    expect(qr_image).to_be_visible()
    qr_image.scroll_into_view_if_needed()
    page.wait_for_function(LOADED_IMAGE, arg="#open-link img", timeout=SLOW)
    name, png = _download(page, lambda: page.get_by_role("link", name=text["qr"]).click())
    assert name == f"station-qr-{DEMO_WAVE}-{quota.pk}.png"
    assert png.startswith(PNG_MAGIC)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width == height >= 250  # a square QR code, big enough to print
    name, pdf = _download(page, lambda: page.get_by_role("link", name=text["poster"]).click())
    assert name == f"poster-{DEMO_WAVE}-{quota.pk}.pdf"
    assert open_link in re.sub(r"\s+", "", _pdf_text(pdf))


def _listed(page, next_label: str) -> set[str]:
    """The names in the invitation list, paging through it as the officer would."""
    names: set[str] = set()
    while True:
        names |= set(page.locator("#invitation-list tbody td:nth-child(4)").all_inner_texts())
        following = page.locator("#invitation-list").get_by_role("link", name=next_label)
        if not following.count():
            return names
        with page.expect_navigation():
            following.click()


def _officer_session(context, base: str, lang: str, roster: Path, quota: StationQuota) -> dict:
    """One officer visit: import, issue 4 codes (their slips), the roster's slips, QR and
    poster downloads."""
    text = OFFICER_TEXT[lang]
    page = context.new_page()
    login(page, base, *STATION_A)
    _open_codes_page(page, base, text, quota.station.name)
    before = {"total": _state_total(page), "unprinted": _unprinted(page)}
    before["unsent"] = _unsent_emails(page)
    newest = Invitation.objects.order_by("-pk").values_list("pk", flat=True).first()
    _import(page, text, roster, send_now=lang == "zh-CN")
    after_import = {"total": _state_total(page), "unprinted": _unprinted(page)}
    after_import["unsent"] = _unsent_emails(page)
    name, pdf = _issue_codes(page, text, 4)
    issued = _check_slips(pdf, name, quota, 4)
    assert all(inv.pk > newest and inv.name == "" and inv.channel == "print" for inv in issued)
    roster_slips = []
    if after_import["unprinted"]:
        page.reload()
        name, pdf = _print_roster_slips(page, text)
        roster_slips = _check_slips(pdf, name, quota, after_import["unprinted"])
    page.reload()
    # The page says who has a code, and shows none of them.
    html = page.content()
    assert not SHORT_CODE.search(re.sub(r"<[^>]+>", " ", html)), "a code is on the page"
    _check_poster_downloads(page, base, text, quota)
    return {
        "page": page,
        "before": before,
        "after_import": after_import,
        "unprinted": _unprinted(page),
        "roster_slips": roster_slips,
        "total": _state_total(page),
        "new": newest,
    }


def test_station_officer_on_phone_and_desk(live_server, new_context, tmp_path):
    _seed()
    base = live_server.url
    quota = StationQuota.objects.select_related("station").get(
        wave__code=DEMO_WAVE, station__memberships__user__username="station_a"
    )
    mail.outbox.clear()

    # On the phone: a CSV roster of three (two with e-mail, e-mailed at once; one printed).
    phone = new_context(viewport=PHONE, locale="zh-CN")
    roster = _write_csv(tmp_path / "名单.csv", PHONE_ROSTER)
    seen = _officer_session(phone, base, "zh-CN", roster, quota)
    page = seen["page"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    assert seen["after_import"]["total"] == seen["before"]["total"] + 3
    assert seen["after_import"]["unprinted"] == seen["before"]["unprinted"] + 1  # 测试丙
    assert seen["after_import"]["unsent"] == seen["before"]["unsent"]  # both e-mailed already
    assert [inv.name for inv in seen["roster_slips"]] == ["测试丙"]
    assert seen["unprinted"] == 0 and seen["total"] == seen["before"]["total"] + 7
    assert _listed(page, "下一页") >= {"测试甲", "测试乙", "测试丙"}
    sent_to = sorted(address for m in mail.outbox for address in m.to)
    assert sent_to == ["jia.test@example.com", "yi.test@example.org"]
    created = Invitation.objects.filter(pk__gt=seen["new"], station=quota.station)
    jia = created.get(name="测试甲")
    assert (jia.channel, jia.phone, jia.title, jia.age_group) == (
        "email", "15400000001", "associate", "35-44",
    )  # fmt: skip
    jia_mail = next(m for m in mail.outbox if m.to == ["jia.test@example.com"])
    (token,) = set(re.findall(r"/a/([A-Za-z0-9_-]+)/", jia_mail.body))
    assert codes.invitation_by_token(token) == jia  # the e-mail carries jia's own code
    assert created.filter(channel="print", name="").count() == 4

    # Another station's quota, typed into the address bar: not found, whatever the page.
    other = StationQuota.objects.filter(wave__code=DEMO_WAVE).exclude(station=quota.station)
    other = other.filter(station__memberships__user__username="station_b").get()
    for path in ("", "invitations/", "poster.png", "poster.pdf"):
        response = page.goto(f"{base}/fieldwork/quotas/{other.pk}/{path}")
        assert response.status == 404, path
        expect(page.locator("body")).to_contain_text("Not Found")
    assert not Invitation.objects.filter(pk__gt=seen["new"], station=other.station).exists()

    # At the desk, in English: an Excel roster; 测试乙 again (merged), e-mails sent later.
    desk = new_context(viewport=DESKTOP, locale="en-US")
    roster = _write_xlsx(tmp_path / "roster.xlsx", DESK_ROSTER)
    again = _officer_session(desk, base, "en-US", roster, quota)
    page = again["page"]
    assert again["before"]["total"] == seen["total"]
    assert again["after_import"]["total"] == again["before"]["total"] + 2
    assert again["before"]["unsent"] == 0  # the demo's and the phone's invitations went out
    assert again["after_import"]["unsent"] == 1  # 测试丁, left for later
    assert _listed(page, "Next") >= {"测试乙", "测试丁", "测试戊"}
    assert Invitation.objects.filter(station=quota.station, name="测试乙").count() == 1
    assert again["after_import"]["unprinted"] == 1  # 测试戊; the phone's were printed
    assert [inv.name for inv in again["roster_slips"]] == ["测试戊"]
    assert again["unprinted"] == 0
    # Nothing is left to print: the button is gone (a lost slip is reissued one by one).
    expect(page.locator(SLIPS_FORM)).to_have_count(0)
    mail.outbox.clear()
    page.get_by_role("button", name=OFFICER_TEXT["en-US"]["send"]).click()
    expect(page.locator(".messages")).to_contain_text("1 invitation e-mails are being sent")
    expect(page.locator("#emails form").first.locator("span")).to_have_text(
        re.compile(r"^0 e-mail invitations have not")
    )
    expect(page.get_by_role("button", name=OFFICER_TEXT["en-US"]["send"])).to_be_disabled()
    assert [address for m in mail.outbox for address in m.to] == ["ding.test@example.net"]


# --- the office ---------------------------------------------------------------------------


def _field_time(delta: timedelta) -> str:
    return (timezone.now() + delta).astimezone(FIELD_TZ).strftime("%Y-%m-%dT%H:%M")


def _create_and_open_wave(page, base: str, station_name: str) -> None:
    page.get_by_role("link", name="Survey waves", exact=True).click()
    expect(page.locator("h1")).to_have_text("Survey waves")
    quick = Instrument.objects.get(code="stws-quick")
    form = page.locator("form.form")
    form.locator("#id_code").fill("2027-Q1")
    form.locator("#id_title").fill("2027年第一季度快速调查")
    form.locator("#id_title_en").fill("Quick survey, 2027 Q1")
    form.locator("#id_kind").select_option(label="Quick survey")
    version = form.locator("#id_instrument_version option").filter(has_text=quick.name)
    form.locator("#id_instrument_version").select_option(version.first.get_attribute("value"))
    form.locator("#id_opens_at").fill(_field_time(timedelta(hours=-1)))
    form.locator("#id_closes_at").fill(_field_time(timedelta(days=21)))
    form.get_by_role("button", name="Create wave").click()
    expect(page.locator(".messages")).to_contain_text("Wave created")
    expect(page.locator("h1")).to_contain_text("2027-Q1")
    expect(page.locator("h1 .badge")).to_have_text("Draft")
    expect(page.locator("#quotas")).to_contain_text("No quotas yet")

    page.get_by_role("button", name="Open the wave").click()  # refused: no quota yet
    expect(page.locator(".messages")).to_contain_text("Set at least one station quota")
    quota_form = page.locator("form.form").filter(has=page.locator("#id_target"))
    quota_form.locator("#id_station").select_option(label=station_name)
    quota_form.locator("#id_target").fill("40")
    quota_form.get_by_role("button", name="Save quota").click()
    expect(page.locator(".messages")).to_contain_text("Quota saved")
    expect(page.locator("#quotas tbody tr")).to_have_count(1)
    expect(page.locator("#quotas tbody tr")).to_contain_text(station_name)
    page.get_by_role("button", name="Open the wave").click()
    expect(page.locator(".messages")).to_contain_text("The wave is open for answers")
    expect(page.locator("h1 .badge")).to_have_text("Open")


def _watch_monitor(page, code: str, stations: int, completes: int, target: int) -> None:
    page.get_by_role("link", name="Fieldwork monitor").click()
    expect(page.locator("h1")).to_contain_text(f"Fieldwork monitor · {code}")
    totals = page.locator("#wave-totals")
    expect(totals.locator("div").nth(0).locator("dd")).to_have_text(str(stations))
    expect(totals.locator("div").nth(1).locator("dd")).to_have_text(f"{completes} / {target}")
    expect(page.locator("#monitor-table tbody tr")).to_have_count(stations)


def _sorted_by(page, label: str) -> list[float]:
    """Sort the station table by ``label``; its "% of target" column, top to bottom."""
    page.locator("nav.filters").get_by_role("link", name=label).click()
    expect(page.locator("nav.filters strong")).to_have_text(label)
    cells = page.locator("#monitor-table tbody tr td:nth-child(6)").all_inner_texts()
    return [float(cell.rstrip("%")) for cell in cells]


def _generate_briefing(page, settings) -> Briefing:
    """Generate through the form, with the job left queued for a worker (a thread here), so
    the job page's live progress is what shows it running and then done."""
    inline = copy.deepcopy(settings.TASKS)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    polled: list[dict] = []
    page.route(re.compile(r"/jobs/[0-9a-f-]{36}/status/$"), lambda r: _record_status(r, polled))
    page.get_by_role("link", name="Briefings", exact=True).click()
    form = page.locator("#generate-form")
    form.locator("select[name=wave]").select_option(DEMO_WAVE)
    form.locator("select[name=language]").select_option(label="English")
    form.get_by_role("button", name="Generate").click()
    found = re.search(r"/jobs/([0-9a-f-]{36})/$", page.url)
    assert found, page.url
    expect(page.locator("#job-status")).to_have_text("Queued")
    expect(page.locator("#job-download")).to_be_hidden()
    settings.TASKS = inline
    worker = threading.Thread(target=_work, args=(Job.objects.get(public_id=found[1]).pk,))
    worker.start()
    try:
        # The page polls /jobs/<uuid>/status/ every second and reloads once the job ends.
        expect(page.locator("#job-status")).to_have_text("Done", timeout=4 * SLOW)
    finally:
        worker.join(timeout=4 * SLOW / 1000)
    expect(page.locator("#job-percent")).to_have_text("100%")
    expect(page.locator("#job-error")).to_be_hidden()
    assert polled and polled[-1]["status"] == "done", polled
    progress = [p["progress"] for p in polled]
    assert progress == sorted(progress) and progress[-1] == 100, progress
    assert all(p["stage"] for p in polled if p["status"] == "running"), polled
    name, pdf = _download(page, lambda: page.locator("#job-download a").click())
    assert name.startswith(f"briefing-no1-{DEMO_WAVE}-v1-en") and pdf.startswith(b"%PDF-")
    return Briefing.objects.get(wave__code=DEMO_WAVE, language="en")


def _record_status(route, polled: list[dict]) -> None:
    """Pass the page's status poll through, keeping what the page was told."""
    response = route.fetch()
    if response.ok:
        polled.append(response.json())
    route.fulfill(response=response)


def _work(job_id: int) -> None:
    """What a task worker does with the queued job."""
    try:
        job_execute(job_id=job_id)
    finally:
        connection.close()


def _preview_and_approve(page, base: str, briefing: Briefing) -> None:
    page.get_by_role("link", name="Briefings", exact=True).click()
    row = page.locator(f"#briefing-{briefing.pk}")
    expect(row.locator(".badge")).to_have_text("Draft")
    row.get_by_role("link", name="Preview and issue").click()
    expect(page.locator("h1")).to_contain_text("Issue 1")
    expect(page.locator("#briefing-status")).to_have_text("Draft")
    frame = page.locator("iframe")
    src = frame.get_attribute("src")
    preview = page.request.get(base + src)
    assert preview.status == 200 and preview.headers["content-type"] == "application/pdf"
    assert preview.body() == briefing.pdf.open("rb").read()
    page.get_by_role("button", name="Approve this version").click()
    expect(page.locator(".messages")).to_contain_text("Issue 1 approved")
    expect(page.locator("#briefing-status")).to_have_text("Approved")


def _deliver(page, recipients: str) -> None:
    form = page.locator("#deliver-form")
    form.locator("textarea").fill("not an address")
    with page.expect_navigation():
        form.get_by_role("button").click()
    expect(page.locator("#deliver-form .errors")).to_contain_text("Not an e-mail address")
    expect(page.locator("#briefing-status")).to_have_text("Approved")
    form.locator("textarea").fill(recipients)
    with page.expect_navigation():
        form.get_by_role("button").click()
    status = page.locator("#briefing-status")
    # Delivery runs as a task once the request commits; reload until it has run.
    for _ in range(60):
        if status.inner_text() == "Delivered":
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(status).to_have_text("Delivered")
    expect(page.locator("#briefing-facts")).to_contain_text("ministry.office@kexie.example.cn")


def test_office_opens_wave_monitors_and_issues_briefing(live_server, new_context, settings):
    _seed()
    base = live_server.url
    station = StationQuota.objects.get(
        wave__code=DEMO_WAVE, station__memberships__user__username="station_a"
    ).station
    page = new_context(viewport=DESKTOP, locale="en-US").new_page()
    login(page, base, *OFFICE)

    _create_and_open_wave(page, base, station.name)
    _watch_monitor(page, "2027-Q1", stations=1, completes=0, target=40)
    wave = Wave.objects.get(code="2027-Q1")
    assert (wave.status, wave.kind, wave.quotas.get().target) == ("open", "quick", 40)

    demo = Wave.objects.get(code=DEMO_WAVE)
    quotas = list(demo.quotas.all())
    page.get_by_role("link", name="Survey waves", exact=True).click()
    page.get_by_role("link", name=DEMO_WAVE, exact=True).click()
    _watch_monitor(
        page,
        DEMO_WAVE,
        stations=len(quotas),
        completes=sum(q.completes for q in quotas),
        target=sum(q.target for q in quotas),
    )
    expect(page.locator("#monitor-table tr.lagging").first).to_be_visible()
    shares = _sorted_by(page, "Completion, lowest first")
    assert shares == sorted(shares) and len(shares) == len(quotas)
    assert _sorted_by(page, "Completion, highest first") == sorted(shares, reverse=True)

    briefing = _generate_briefing(page, settings)
    assert (briefing.number, briefing.status, briefing.version) == (1, "draft", 1)
    _preview_and_approve(page, base, briefing)
    mail.outbox.clear()
    _deliver(page, "ministry.office@kexie.example.cn")
    # Only now that the page says delivered: the e-mail went out, with the PDF attached.
    sent = [m for m in mail.outbox if "ministry.office@kexie.example.cn" in m.bcc]
    assert len(sent) == 1
    ((filename, content, mimetype),) = sent[0].attachments
    assert filename == briefing.download_name and mimetype == "application/pdf"
    assert content == briefing.pdf.open("rb").read()
    briefing.refresh_from_db()
    assert briefing.status == BriefingStatus.DELIVERED and briefing.approved_by.username == "office"


# --- the leader ---------------------------------------------------------------------------

RAW_RESPONSE_PAGES = (
    f"/fieldwork/waves/{DEMO_WAVE}/monitor/",
    f"/fieldwork/waves/{DEMO_WAVE}/monitor.csv",
    f"/fieldwork/waves/{DEMO_WAVE}/",
    f"/exports/waves/{DEMO_WAVE}/",
    "/api/v1/responses/",
    "/fieldwork/my/",
    "/briefings/",
)


def test_leader_downloads_briefing_and_cannot_reach_responses(live_server, new_context):
    _seed()
    base = live_server.url
    delivered = Briefing.objects.get(status=BriefingStatus.DELIVERED)
    page = new_context(viewport=PHONE, locale="zh-CN").new_page()
    login(page, base, *LEADER)
    expect(page.locator("#briefings")).to_contain_text(delivered.title)  # the home page
    page.locator("nav.mainnav").get_by_role("link", name="简报", exact=True).click()
    assert page.url == f"{base}/briefings/portal/"
    issue = page.locator(f"#issue-{delivered.number}")
    expect(issue).to_contain_text(delivered.title)
    expect(issue).to_contain_text(DEMO_WAVE)
    expect(issue.locator("svg.spark").first).to_be_visible()  # the trend lines
    name, pdf = _download(page, lambda: issue.get_by_role("link", name="中文").click())
    assert name == delivered.download_name
    assert pdf.startswith(b"%PDF-") and pdf == delivered.pdf.open("rb").read()

    quota = StationQuota.objects.filter(wave__code=DEMO_WAVE).first()
    station_pages = [f"/fieldwork/quotas/{quota.pk}/", f"/fieldwork/quotas/{quota.pk}/invitations/"]
    for path in [*RAW_RESPONSE_PAGES, *station_pages]:
        response = page.goto(base + path)
        assert response.status in (403, 404), (path, response.status)
        body = page.locator("body").inner_text()
        assert "Forbidden" in body or "Not Found" in body or "detail" in body, (path, body)
        assert "<td" not in response.text()
