"""When and how fast simulated respondents answer.

Submissions spread over the fieldwork days in Asia/Shanghai: many in the first days after
the wave opens, bumps after the two reminder rounds (at a third and two thirds of the
fieldwork), fewer at weekends, and through the day mostly in the morning, the afternoon
and the evening (phones after dinner). A lagging station starts late. Time per page
follows the number and kind of questions answered, the respondent's own pace (log-normal)
and, for speeders, a fraction of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

LOCAL = ZoneInfo("Asia/Shanghai")
#: Seconds a typical respondent spends per answer, by column kind.
SECONDS_PER_ANSWER = {"code": 6.0, "int": 11.0, "float": 12.0, "multi": 14.0, "rank": 20.0}
PAGE_OVERHEAD = 4.0
TEXT_BASE, TEXT_PER_CHAR = 15.0, 1.4


def page_seconds(
    rng: np.random.Generator,
    per_page: np.ndarray,
    speed: np.ndarray,
) -> np.ndarray:
    """(n, pages) whole seconds from the (n, pages) typical seconds of what was answered
    and each respondent's pace factor."""
    jitter = np.exp(rng.normal(0.0, 0.2, per_page.shape))
    seconds = (per_page + PAGE_OVERHEAD) * jitter * speed[:, None]
    return np.maximum(np.round(seconds), 1).astype(np.int64)


def day_weights(days: int, first_weekday: int) -> np.ndarray:
    d = np.arange(days, dtype=np.float64)
    weights = np.exp(-d / max(days * 0.3, 1.0)) + 0.25
    for reminder in (days // 3, 2 * days // 3):
        if 0 < reminder < days:
            weights += 0.9 * np.exp(-((d - reminder) ** 2) / 2.0) * (d >= reminder)
    weekend = ((first_weekday + d.astype(np.int64)) % 7) >= 5
    return np.where(weekend, 0.55, 1.0) * weights


def _hour_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    part = rng.choice(4, size=n, p=[0.28, 0.30, 0.36, 0.06])
    centre = np.array([10.0, 15.5, 21.0, 13.0])[part]
    spread = np.array([1.2, 1.5, 1.3, 6.0])[part]
    return np.clip(rng.normal(centre, spread), 6.5, 23.95)


def submission_times(
    rng: np.random.Generator,
    group: np.ndarray,
    lag: Sequence[float],
    start: datetime,
    end: datetime,
    durations: np.ndarray,
) -> np.ndarray:
    """Epoch seconds (int64) at which each respondent submitted (or last saved).

    ``group`` indexes ``lag``: the share of the fieldwork before that station starts.
    Every time lies in [start + duration, end).
    """
    local_start = start.astimezone(LOCAL)
    first_day = datetime(local_start.year, local_start.month, local_start.day, tzinfo=LOCAL)
    days = max(1, int(np.ceil((end - first_day).total_seconds() / 86400)))
    weights = day_weights(days, first_day.weekday())
    day = np.zeros(group.size, dtype=np.int64)
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        first = min(int(lag[int(g)] * days), days - 1)
        w = weights[first:] / weights[first:].sum()
        day[rows] = first + rng.choice(days - first, size=rows.size, p=w)
    base = int(first_day.timestamp())
    seconds = np.round(_hour_of_day(rng, group.size) * 3600).astype(np.int64)
    times = base + day * 86400 + seconds
    low = int(start.timestamp()) + durations
    high = int(end.timestamp()) - 1
    late = times > high
    # Today's evening has not happened yet for an open wave: such answers came earlier.
    times = np.where(late, high - rng.integers(60, 6 * 3600, group.size), times)
    return np.clip(np.maximum(times, low + rng.integers(0, 3600, group.size)), None, high)


def to_datetimes(epochs: np.ndarray) -> list[datetime | None]:
    base = datetime(1970, 1, 1, tzinfo=UTC)
    return [base + timedelta(seconds=int(s)) for s in epochs.tolist()]
