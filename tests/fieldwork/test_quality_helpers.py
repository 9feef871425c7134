"""Shared helpers of the quality tests (no tests here): a questionnaire with two matrices
and a text item, a wave on it, and complete responses built directly."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.utils import timezone

from instruments import services as instrument_services
from survey_platform.fieldwork import services
from survey_platform.fieldwork.models import Response, Wave


def _t(zh: str, en: str) -> dict[str, str]:
    return {"zh-hans": zh, "en": en}


def _matrix(code: str, label: dict[str, str], n_rows: int) -> dict[str, Any]:
    rows = [
        {"code": f"{code}_r{i}", "label": _t(f"行{i}", f"Row {i}")} for i in range(1, n_rows + 1)
    ]
    return {"code": code, "type": "matrix", "label": label, "choices": "sat5", "group": "A",
            "rows": rows}  # fmt: skip


QUALITY_DEFINITION: dict[str, Any] = {
    "id": "qc",
    "version": "1",
    "title": _t("质量测试问卷", "Quality test questionnaire"),
    "languages": ["zh-hans", "en"],
    "default_language": "zh-hans",
    "choice_lists": [
        {"name": "sat5",
         "choices": [{"code": str(i), "label": _t(f"{i}分", f"{i}")} for i in range(1, 6)]},
        {"name": "yn",
         "choices": [{"code": "1", "label": _t("是", "Yes")},
                     {"code": "2", "label": _t("否", "No")}]},
    ],
    "groups": [{"code": "A", "label": _t("部分一", "Part one"), "page": True}],
    "items": [
        {"code": "A1", "type": "single", "label": _t("是否", "Yes or no"), "choices": "yn",
         "group": "A"},
        _matrix("M4", _t("四行评价", "Four rows"), 4),
        _matrix("M3", _t("三行评价", "Three rows"), 3),
        {"code": "T1", "type": "text", "label": _t("意见", "Comments"), "group": "A"},
    ],
}  # fmt: skip


@pytest.fixture
def quality_version(office):
    instrument = instrument_services.instrument_create(actor=office, code="qc-test", name="质量")
    version = instrument_services.version_create(
        actor=office, instrument=instrument, definition=QUALITY_DEFINITION
    )
    return instrument_services.version_publish(actor=office, version=version)


@pytest.fixture
def quality_wave(office, quality_version, station_a, station_b) -> Wave:
    now = timezone.now()
    wave = services.wave_create(
        actor=office,
        code="2026-QC",
        title="质量测试轮次",
        kind="quick",
        instrument_version=quality_version,
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=30),
    )
    services.quota_set(actor=office, wave=wave, station=station_a, target=100)
    services.quota_set(actor=office, wave=wave, station=station_b, target=100)
    return services.wave_open(actor=office, wave=wave)


_serial = count(1)


def answers(**extra: Any) -> dict[str, Any]:
    """A distinct, unflagged answers document (its own comment), with ``extra`` merged."""
    base: dict[str, Any] = {"A1": "1", "T1": f"意见 {next(_serial)}"}
    base.update({f"M4_r{i}": str(i) for i in range(1, 5)})
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def complete(
    wave: Wave,
    station: Any,
    doc: dict[str, Any] | None = None,
    *,
    duration: int | None = 600,
    minutes_ago: int = 60,
    status: str = "complete",
) -> Response:
    submitted = timezone.now() - timedelta(minutes=minutes_ago)
    return Response.objects.create(
        wave=wave,
        station=station,
        instrument_version=wave.instrument_version,
        answers=answers() if doc is None else doc,
        status=status,
        submitted_at=submitted if status == "complete" else None,
        duration_seconds=duration,
    )


def flags_of(response: Response) -> list[str]:
    response.refresh_from_db()
    return response.quality_flags
