"""Station releases: the figures a station's staff can see change only in steps of k.

Station officers work for the respondents' own employer and can watch, on the invitations
page, who has completed. If the station's feedback report or export were computed from
every complete response, the report taken before and after one named colleague completes
would differ by exactly that colleague's answers (differencing). So station-level outputs
are computed from the *released* responses only: a complete response is released together
with the other unreleased completes of its station as soon as there are at least
``RELEASE_SIZE`` (the suppression threshold k) of them. Every change an officer can observe
therefore adds at least k people's answers at once, and the remainder of fewer than k at
the end of a wave is never released to the station (the survey office's own analysis,
exports and the briefings use every response).

The same holds for the city-wide figures printed in a station's report: they too come from
the released responses (``wave_dataset(..., released=True)``), or a city total taken before
and after one completion would again isolate it.

Releases happen inside the submit's transaction, after the station quota's counter was
raised: that UPDATE holds the quota's row lock until the commit, so two submits of one
station cannot both count the same unreleased responses.
"""

from __future__ import annotations

from django.db.models import Max

from analysis.suppression import DEFAULT_K

from .models import Response, ResponseStatus, Wave

RELEASE_SIZE = DEFAULT_K


def release_if_due(wave_id: int, station_id: int) -> int:
    """Release the station's unreleased completes when there are at least RELEASE_SIZE
    of them; returns how many were released (0 when not yet due)."""
    pending = Response.objects.filter(
        wave_id=wave_id,
        station_id=station_id,
        status=ResponseStatus.COMPLETE,
        release__isnull=True,
    )
    count = pending.count()
    if count < RELEASE_SIZE:
        return 0
    latest = (
        Response.objects.filter(wave_id=wave_id, station_id=station_id)
        .aggregate(n=Max("release"))
        .get("n")
    )
    return pending.update(release=(latest or 0) + 1)


def releases_catch_up(wave: Wave) -> int:
    """``release_if_due`` for every station of the wave (after a bulk import of responses,
    such as the demo's simulated waves). Returns the number of responses released."""
    stations = (
        Response.objects.filter(wave=wave, status=ResponseStatus.COMPLETE, release__isnull=True)
        .order_by()
        .values_list("station_id", flat=True)
        .distinct()
    )
    return sum(release_if_due(wave.pk, station_id) for station_id in list(stations))
