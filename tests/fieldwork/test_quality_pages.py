"""The office's data quality page: permissions, counts only, the run button, the toggle."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from survey_platform.core.models import AuditEvent
from survey_platform.fieldwork.models import Wave
from tests.conftest import client_for
from tests.fieldwork import test_quality_helpers as helpers
from tests.fieldwork.test_quality_helpers import answers, complete, flags_of

quality_version = helpers.quality_version
quality_wave = helpers.quality_wave

pytestmark = pytest.mark.django_db

SECRET_TEXT = "只有受访者知道的意见XYZ"


def _url(wave: Wave, name: str = "fieldwork:quality") -> str:
    return reverse(name, kwargs={"code": wave.code})


@pytest.fixture
def flagged_wave(quality_wave, station_a, station_b):
    doc = answers(T1=SECRET_TEXT)
    complete(quality_wave, station_a, doc, duration=777, minutes_ago=30)
    complete(quality_wave, station_a, dict(doc), duration=778, minutes_ago=20)
    complete(quality_wave, station_b, answers(**{f"M4_r{i}": "4" for i in range(1, 5)}))
    complete(quality_wave, station_b, status="partial")
    return quality_wave


def test_page_urls() -> None:
    assert reverse("fieldwork:quality", kwargs={"code": "2026-Q4"}) == (
        "/fieldwork/waves/2026-Q4/quality/"
    )


@pytest.mark.parametrize("who", ["leader", "officer_a"])
def test_page_and_actions_refused_to_non_office(request, who, flagged_wave) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get(_url(flagged_wave)).status_code == 403
    assert client.post(_url(flagged_wave, "fieldwork:quality-run")).status_code == 403
    response = client.post(
        _url(flagged_wave, "fieldwork:quality-exclude"), {"exclude_flagged": "0"}
    )
    assert response.status_code == 403
    flagged_wave.refresh_from_db()
    assert flagged_wave.exclude_flagged is True
    assert not AuditEvent.objects.filter(data__check="quality").exists()


def test_anonymous_goes_to_login(flagged_wave) -> None:
    for name in ("fieldwork:quality", "fieldwork:quality-run", "fieldwork:quality-exclude"):
        response = client_for(None).post(_url(flagged_wave, name))
        assert response.status_code == 302 and "login" in response["Location"]


def test_unknown_wave_is_404(office) -> None:
    url = reverse("fieldwork:quality", kwargs={"code": "NOPE"})
    assert client_for(office).get(url).status_code == 404


def test_page_shows_counts_but_no_answers(office, flagged_wave, station_a, station_b) -> None:
    client = client_for(office)
    client.post(_url(flagged_wave, "fieldwork:quality-run"))
    with translation.override("en"):
        response = client.get(_url(flagged_wave), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert station_a.name in html and station_b.name in html
    table = html[html.index('id="quality-stations"') : html.index("</table>")]
    # 甲站: 2 completes, 1 duplicate; 乙站: 1 complete, 1 straightliner; total 2 flagged.
    assert '<tfoot><tr><th>All stations</th><th class="num">3</th>' in table
    assert response.context["total"].counts == (0, 1, 1, 0)
    assert response.context["analysable"] == 1
    assert SECRET_TEXT not in html
    assert "M4_r" not in html and "777" not in html  # no answers, no single durations


def test_run_button_flags_through_the_task(office, flagged_wave) -> None:
    response = client_for(office).post(_url(flagged_wave, "fieldwork:quality-run"), follow=True)
    assert response.redirect_chain[-1][0] == _url(flagged_wave)
    messages = [str(m) for m in response.context["messages"]]
    assert any("2" in m for m in messages)  # two responses changed
    event = AuditEvent.objects.get(data__check="quality")
    assert event.actor == office
    dup = flagged_wave.responses.filter(station__name="甲站").order_by("submitted_at").last()
    assert flags_of(dup) == ["duplicate"]


def test_run_button_is_post_only(office, flagged_wave) -> None:
    client = client_for(office)
    assert client.get(_url(flagged_wave, "fieldwork:quality-run")).status_code == 405
    assert not AuditEvent.objects.filter(data__check="quality").exists()


def test_exclude_toggle_goes_through_wave_update(office, flagged_wave) -> None:
    client = client_for(office)
    client.post(_url(flagged_wave, "fieldwork:quality-run"))
    response = client.post(
        _url(flagged_wave, "fieldwork:quality-exclude"), {"exclude_flagged": "0"}, follow=True
    )
    flagged_wave.refresh_from_db()
    assert flagged_wave.exclude_flagged is False
    assert response.context["analysable"] == 3
    assert AuditEvent.objects.filter(
        object_id=str(flagged_wave.pk), action="update", data__fields=["exclude_flagged"]
    ).exists()
    client.post(_url(flagged_wave, "fieldwork:quality-exclude"), {"exclude_flagged": "1"})
    flagged_wave.refresh_from_db()
    assert flagged_wave.exclude_flagged is True


def test_exclude_toggle_refuses_bad_input(office, flagged_wave) -> None:
    with translation.override("zh-hans"):
        response = client_for(office).post(
            _url(flagged_wave, "fieldwork:quality-exclude"),
            {"exclude_flagged": "maybe"},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert len(messages) == 1 and messages[0][0] == "error"
    flagged_wave.refresh_from_db()
    assert flagged_wave.exclude_flagged is True


def test_closed_wave_setting_still_changes(office, flagged_wave) -> None:
    from survey_platform.fieldwork import services

    services.wave_close(actor=office, wave=flagged_wave)
    client_for(office).post(
        _url(flagged_wave, "fieldwork:quality-exclude"), {"exclude_flagged": "0"}
    )
    flagged_wave.refresh_from_db()
    assert flagged_wave.exclude_flagged is False


def test_duration_quartiles_shown_from_ten_times(office, quality_wave, station_a) -> None:
    for seconds in range(600, 1200, 60):  # ten durations: 600 … 1140
        complete(quality_wave, station_a, duration=seconds)
    response = client_for(office).get(_url(quality_wave))
    stats = response.context["durations"]
    assert stats.n == 10 and stats.median == pytest.approx(870)
    assert stats.q1 == pytest.approx(735) and stats.q3 == pytest.approx(1005)
    assert 'id="durations"' in response.content.decode()


def test_run_button_with_a_queue_only_enqueues(settings, office, flagged_wave) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    response = client_for(office).post(
        _url(flagged_wave, "fieldwork:quality-run"), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and "queued" in messages[0]
    assert not AuditEvent.objects.filter(data__check="quality").exists()
    assert all(r.quality_flags == [] for r in flagged_wave.responses.all())
