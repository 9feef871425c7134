"""Reads for waves and quotas (monitoring figures live in monitoring.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from .models import InvitationState, Response, ResponseStatus, StationQuota, Wave


def waves_with_totals() -> QuerySet[Wave]:
    return Wave.objects.select_related("instrument_version__instrument").annotate(
        n_stations=Count("quotas", distinct=True),
        target_total=Sum("quotas__target"),
        completes_total=Sum("quotas__completes"),
    )


def quotas_of_wave(wave: Wave) -> QuerySet[StationQuota]:
    return wave.quotas.select_related("station__region", "station__sector").order_by(
        "station__region__code", "station__name"
    )


def quotas_for_user(user: Any) -> QuerySet[StationQuota]:
    """The station quotas (one per station and wave) a user may work on."""
    return (
        StationQuota.objects.for_user(user)
        .select_related("wave", "station")
        .order_by("-wave__opens_at", "station__name")
    )


def partial_count(wave: Wave) -> int:
    return Response.objects.filter(wave=wave, status=ResponseStatus.PARTIAL).count()


def invitation_state_counts(quota: StationQuota) -> dict[str, int]:
    rows = (
        quota.wave.invitations.filter(station=quota.station).values("state").annotate(n=Count("id"))
    )
    counts = {state: 0 for state in InvitationState.values}
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def has_responses(wave: Wave) -> bool:
    return Response.objects.filter(Q(wave=wave)).exists()
