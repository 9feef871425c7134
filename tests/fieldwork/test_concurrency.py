"""Every answer counts exactly once, and quotas are exact, under concurrent submits.

Threads each use their own database connection (Django opens one per thread); on SQLite
the test database is a file, so the locking is real.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections

from survey_platform.core.errors import SurveyError
from survey_platform.fieldwork import codes
from survey_platform.fieldwork import respondent as svc
from survey_platform.fieldwork import respondent_entry as entry
from survey_platform.fieldwork.models import Invitation, Response, StationQuota
from tests.fieldwork.fixtures import issue_code

# Transactional: threads need committed data. The flush between tests removes the
# reference data of the data migrations, which the `reference_data` fixture restores.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


class Form(dict):
    def getlist(self, key):
        value = self.get(key)
        return value if isinstance(value, list) else ([] if value is None else [value])


def _run_all(count: int, work) -> list[str]:
    results: list[str] = []
    barrier = threading.Barrier(count)
    lock = threading.Lock()

    def runner(i: int) -> None:
        try:
            barrier.wait()
            outcome = work(i)
        except SurveyError as exc:
            outcome = type(exc).__name__
        except Exception as exc:  # any other failure must show in the result
            outcome = f"error:{type(exc).__name__}:{exc}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _printed_key(wave, station) -> str:
    """The respondent key of a new printed code, as its entry hands it out."""
    invitation = Invitation.objects.create(wave=wave, station=station, channel="print")
    _session, key = entry.enter_with_token(issue_code(invitation).token)
    return key


def _save(session, answers):
    response, problems = svc.response_save_page(
        session=session, page_code="A", data=Form(answers), language="zh-hans"
    )
    assert not problems, problems
    return response


def test_twenty_concurrent_submits_with_one_code_give_one_complete(open_wave, station_a):
    key = _printed_key(open_wave, station_a)
    _save(svc.session_for_key(key), {"A1": "2"})

    def submit(i: int) -> str:
        session = svc.session_for_key(key)
        svc.response_submit(session=session, submission_id=str(uuid.uuid4()), language="zh-hans")
        return "ok"

    results = _run_all(20, submit)
    assert results.count("ok") == 1, results
    assert all(r in ("ok", "AlreadySubmitted", "ValidationFailed") for r in results), results
    assert Response.objects.filter(status="complete").count() == 1
    assert Response.objects.count() == 1
    assert StationQuota.objects.get(wave=open_wave, station=station_a).completes == 1


def test_fifty_open_link_submits_against_quota_of_ten(open_wave, station_b):
    quota = StationQuota.objects.get(wave=open_wave, station=station_b)
    StationQuota.objects.filter(pk=quota.pk).update(target=10)
    keys = [codes.open_link_key(quota) for _ in range(50)]
    for key in keys:
        _save(svc.session_for_key(key), {"A1": "2"})
    connection.close()

    def submit(i: int) -> str:
        session = svc.session_for_key(keys[i])
        svc.response_submit(session=session, submission_id=str(uuid.uuid4()), language="zh-hans")
        return "ok"

    results = _run_all(50, submit)
    assert results.count("ok") == 10, results
    assert results.count("QuotaFull") == 40, results
    assert Response.objects.filter(station=station_b, status="complete").count() == 10
    assert StationQuota.objects.get(pk=quota.pk).completes == 10


def test_concurrent_first_saves_create_one_partial(open_wave, station_a):
    key = _printed_key(open_wave, station_a)
    connection.close()
    results = _run_all(10, lambda i: (_save(svc.session_for_key(key), {"A1": "1"}), "ok")[1])
    assert results.count("ok") == 10, results
    assert Response.objects.count() == 1


def test_same_submission_id_twice_is_already_submitted(open_wave, station_a):
    key = _printed_key(open_wave, station_a)
    session = svc.session_for_key(key)
    _save(session, {"A1": "2"})
    sid = str(uuid.uuid4())
    svc.response_submit(session=session, submission_id=sid, language="zh-hans")
    with pytest.raises(svc.AlreadySubmitted):
        svc.response_submit(session=session, submission_id=sid, language="zh-hans")
    assert Response.objects.filter(status="complete").count() == 1


# --- page saves: optimistic writes keep every tab's answers -----------------------------


@pytest.fixture
def small_definition():
    """The small questionnaire with a second page (B), so two tabs can save different pages."""
    import copy

    from tests.conftest import SMALL

    definition = copy.deepcopy(SMALL)
    definition["groups"].append(
        {"code": "B", "label": {"zh-hans": "工作", "en": "Work"}, "page": True}
    )
    definition["items"].append(
        {"code": "B1", "type": "integer", "group": "B", "min_value": 0, "max_value": 120,
         "label": {"zh-hans": "每周工作小时数", "en": "Hours"}}
    )  # fmt: skip
    return definition


def _save_page(key: str, page: str, answers: dict) -> str:
    _response, problems = svc.response_save_page(
        session=svc.session_for_key(key), page_code=page, data=Form(answers), language="zh-hans"
    )
    assert not problems, problems
    return "ok"


def test_concurrent_saves_of_two_pages_keep_both(open_wave, station_a):
    key = _printed_key(open_wave, station_a)
    _save_page(key, "A", {"A1": "2"})
    connection.close()

    def save(i: int) -> str:
        if i % 2:
            return _save_page(key, "B", {"B1": str(i)})
        return _save_page(key, "A", {"A1": "1"})

    results = _run_all(12, save)
    assert results == ["ok"] * 12, results
    response = Response.objects.get()
    assert response.answers["A1"] == "1" and response.answers["B1"] in range(1, 12, 2)
    assert response.revision == 13  # every save wrote once, none over another


def test_save_that_loses_the_race_reads_again_and_keeps_the_other_page(
    open_wave, station_a, monkeypatch
):
    """Between this save's read and its write, another tab saves page B: the write is
    refused (revision moved), the save reads again and merges into the newer answers."""
    key = _printed_key(open_wave, station_a)
    _save_page(key, "A", {"A1": "2"})
    real_validate = svc.validate_answers
    interfered = []

    def validate_then_other_tab_saves(*args, **kwargs):
        problems = real_validate(*args, **kwargs)
        if not interfered:
            interfered.append(1)
            _save_page(key, "B", {"B1": "40"})
        return problems

    monkeypatch.setattr(svc, "validate_answers", validate_then_other_tab_saves)
    _save_page(key, "A", {"A1": "1"})
    response = Response.objects.get()
    assert response.answers == {"A1": "1", "B1": 40}
    assert response.revision == 3


def test_save_that_keeps_losing_races_takes_the_row_lock_and_gets_through(
    open_wave, station_a, monkeypatch
):
    key = _printed_key(open_wave, station_a)
    _save_page(key, "A", {"A1": "2"})
    real_update = svc._update_if_unchanged
    calls = []

    def outrun_unless_locked(*args):
        calls.append(connection.in_atomic_block)
        # Outside the locked attempt another tab always writes first.
        return real_update(*args) if connection.in_atomic_block else None

    monkeypatch.setattr(svc, "_update_if_unchanged", outrun_unless_locked)
    _save_page(key, "A", {"A1": "1"})
    assert calls == [False] * svc.OPTIMISTIC_ATTEMPTS + [True]
    response = Response.objects.get()
    assert response.answers == {"A1": "1"} and response.revision == 2


def test_save_after_submit_is_refused_and_the_submitted_answers_stay(open_wave, station_a):
    key = _printed_key(open_wave, station_a)
    _save_page(key, "A", {"A1": "2"})
    session = svc.session_for_key(key)
    svc.response_submit(session=session, submission_id=str(uuid.uuid4()), language="zh-hans")
    with pytest.raises(svc.AlreadySubmitted):
        _save_page(key, "A", {"A1": "1"})
    assert Response.objects.get().answers == {"A1": "2"}
    assert Response.objects.count() == 1
