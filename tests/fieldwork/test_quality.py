"""The quality rules, the flagging service, the exclusion selector and the command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from survey_platform.core.models import AuditEvent
from survey_platform.core.tasks import settled
from survey_platform.fieldwork import services
from survey_platform.fieldwork.models import Response
from survey_platform.fieldwork.quality import (
    STRAIGHTLINE_MIN_ROWS,
    analysable_responses,
    answers_fingerprint,
    flag_quality_task,
    is_straightliner,
    speeder_threshold,
    wave_flag_quality,
)
from tests.fieldwork import test_quality_helpers as helpers
from tests.fieldwork.test_quality_helpers import answers, complete, flags_of

# Fixtures of the helper module, made visible to pytest here.
quality_version = helpers.quality_version
quality_wave = helpers.quality_wave

pytestmark = pytest.mark.django_db


# --- pure rules ------------------------------------------------------------------------


def test_speeder_threshold_needs_ten_durations() -> None:
    assert speeder_threshold([300] * 9 + [None] * 5) is None
    assert speeder_threshold([300] * 10) == pytest.approx(100)


def test_straightliner_rule_counts_answered_rows() -> None:
    four = [f"M_r{i}" for i in range(1, 6)]
    assert STRAIGHTLINE_MIN_ROWS == 4
    assert is_straightliner({f"M_r{i}": "3" for i in range(1, 5)}, [four])
    assert not is_straightliner({f"M_r{i}": "3" for i in range(1, 4)}, [four])
    assert not is_straightliner({"M_r1": "3", "M_r2": "3", "M_r3": "3", "M_r4": "2"}, [four])


def test_fingerprint_ignores_whitespace_and_key_order_but_not_station() -> None:
    one = {"A1": "1", "T1": "工资  太低\n了"}
    two = {"T1": " 工资 太低 了 ", "A1": "1"}
    assert answers_fingerprint(one, 1) == answers_fingerprint(two, 1)
    assert answers_fingerprint(one, 1) != answers_fingerprint(two, 2)
    assert answers_fingerprint(one, 1) != answers_fingerprint({"A1": "2", "T1": "工资 太低 了"}, 1)


# --- speeders --------------------------------------------------------------------------


def test_speeder_edge_is_strictly_below_a_third_of_the_median(quality_wave, station_a) -> None:
    # Median of [99, 100, 300 × 8] is 300, so the threshold is exactly 100 seconds.
    fast = complete(quality_wave, station_a, duration=99)
    edge = complete(quality_wave, station_a, duration=100)
    others = [complete(quality_wave, station_a, duration=300) for _ in range(8)]
    summary = wave_flag_quality(wave=quality_wave)
    assert summary.speeder_threshold == pytest.approx(100)
    assert summary.median_seconds == pytest.approx(300)
    assert flags_of(fast) == ["speeder"]
    assert flags_of(edge) == []
    assert all(flags_of(r) == [] for r in others)
    assert summary.counts == {"speeder": 1, "straightliner": 0, "duplicate": 0, "invalid_text": 0}


def test_too_few_completes_flag_no_speeders(quality_wave, station_a) -> None:
    fast = complete(quality_wave, station_a, duration=1)
    for _ in range(8):
        complete(quality_wave, station_a, duration=900)
    # Partial responses and responses without a time do not count towards the ten.
    complete(quality_wave, station_a, duration=900, status="partial")
    complete(quality_wave, station_a, duration=None)
    summary = wave_flag_quality(wave=quality_wave)
    assert summary.speeder_threshold is None
    assert flags_of(fast) == []


# --- straightliners --------------------------------------------------------------------


def test_straightliner_on_four_rows_not_on_three(quality_wave, station_a) -> None:
    four = complete(quality_wave, station_a, answers(**{f"M4_r{i}": "5" for i in range(1, 5)}))
    three = complete(quality_wave, station_a, answers(**{f"M3_r{i}": "5" for i in range(1, 4)}))
    three_of_four = complete(
        quality_wave, station_a, answers(M4_r1="2", M4_r2="2", M4_r3="2", M4_r4=None)
    )
    wave_flag_quality(wave=quality_wave)
    assert flags_of(four) == ["straightliner"]
    assert flags_of(three) == []
    assert flags_of(three_of_four) == []


# --- duplicates ------------------------------------------------------------------------


def test_duplicates_within_station_only_and_earliest_stays_clean(
    quality_wave, station_a, station_b
) -> None:
    doc = answers(T1="收入  偏低")
    # Created first but submitted later: the *earliest submitted* one stays clean.
    later = complete(quality_wave, station_a, dict(doc, T1=" 收入 偏低\n"), minutes_ago=10)
    earliest = complete(quality_wave, station_a, doc, minutes_ago=50)
    third = complete(quality_wave, station_a, dict(doc), minutes_ago=5)
    other_station = complete(quality_wave, station_b, dict(doc), minutes_ago=1)
    different = complete(quality_wave, station_a, dict(doc, A1="2"), minutes_ago=2)
    summary = wave_flag_quality(wave=quality_wave)
    assert flags_of(earliest) == []
    assert flags_of(later) == ["duplicate"]
    assert flags_of(third) == ["duplicate"]
    assert flags_of(other_station) == []
    assert flags_of(different) == []
    assert summary.counts["duplicate"] == 2 and summary.flagged == 2


def test_several_flags_are_stored_sorted(quality_wave, station_a) -> None:
    doc = answers(**{f"M4_r{i}": "1" for i in range(1, 5)})
    complete(quality_wave, station_a, doc, duration=600, minutes_ago=30)
    copy = complete(quality_wave, station_a, dict(doc), duration=5, minutes_ago=20)
    for _ in range(9):
        complete(quality_wave, station_a, duration=600)
    wave_flag_quality(wave=quality_wave)
    assert flags_of(copy) == ["duplicate", "speeder", "straightliner"]


# --- idempotency, stale flags, audit ---------------------------------------------------


def test_second_run_changes_nothing_and_stale_flags_are_cleared(quality_wave, station_a) -> None:
    doc = answers()
    complete(quality_wave, station_a, doc, minutes_ago=30)
    dup = complete(quality_wave, station_a, dict(doc), minutes_ago=20)
    clean = complete(quality_wave, station_a)
    Response.objects.filter(pk=clean.pk).update(quality_flags=["speeder"])  # stale
    first = wave_flag_quality(wave=quality_wave)
    assert first.changed == 2
    stamps = dict(Response.objects.values_list("pk", "updated_at"))
    flags = dict(Response.objects.values_list("pk", "quality_flags"))
    second = wave_flag_quality(wave=quality_wave)
    assert second.changed == 0
    assert second.counts == first.counts and second.flagged == first.flagged == 1
    assert dict(Response.objects.values_list("pk", "quality_flags")) == flags
    assert dict(Response.objects.values_list("pk", "updated_at")) == stamps
    assert flags_of(dup) == ["duplicate"] and flags_of(clean) == []
    assert (
        AuditEvent.objects.filter(object_id=str(quality_wave.pk), data__check="quality").count()
        == 2
    )


def test_partial_responses_are_never_flagged(quality_wave, station_a) -> None:
    doc = answers()
    complete(quality_wave, station_a, doc)
    partial = complete(quality_wave, station_a, dict(doc), status="partial")
    wave_flag_quality(wave=quality_wave)
    assert flags_of(partial) == []


# --- analysable responses --------------------------------------------------------------


def test_exclude_setting_changes_analysable_responses(office, quality_wave, station_a) -> None:
    doc = answers()
    clean = complete(quality_wave, station_a, doc, minutes_ago=30)
    dup = complete(quality_wave, station_a, dict(doc), minutes_ago=20)
    complete(quality_wave, station_a, status="partial")
    wave_flag_quality(wave=quality_wave)
    assert quality_wave.exclude_flagged is True  # the default
    assert set(analysable_responses(quality_wave)) == {clean}
    wave = services.wave_update(actor=office, wave=quality_wave, exclude_flagged=False)
    assert set(analysable_responses(wave)) == {clean, dup}


# --- task and command ------------------------------------------------------------------


def test_task_runs_the_service(office, quality_wave, station_a) -> None:
    doc = answers()
    complete(quality_wave, station_a, doc, minutes_ago=30)
    complete(quality_wave, station_a, dict(doc), minutes_ago=20)
    result = settled(flag_quality_task.enqueue(quality_wave.pk, office.pk))
    assert result.status == "SUCCESSFUL"
    assert result.return_value["counts"]["duplicate"] == 1
    event = AuditEvent.objects.filter(data__check="quality").first()
    assert event.actor == office


def test_command_flags_a_wave(quality_wave, station_a) -> None:
    doc = answers()
    complete(quality_wave, station_a, doc, minutes_ago=30)
    dup = complete(quality_wave, station_a, dict(doc), minutes_ago=20)
    out = StringIO()
    with translation.override("en"):
        call_command("flag_quality", "--wave", quality_wave.code, stdout=out)
    assert "2026-QC" in out.getvalue() and "1 flagged" in out.getvalue()
    assert flags_of(dup) == ["duplicate"]
    event = AuditEvent.objects.filter(data__check="quality").first()
    assert event.actor is None and event.actor_repr == "system"


def test_command_refuses_an_unknown_wave(db) -> None:
    with pytest.raises(CommandError, match="NOPE"):
        call_command("flag_quality", "--wave", "NOPE")
