"""Filters of the office's audit log page."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices)
    actor = django_filters.CharFilter(
        label=_("User"), field_name="actor_repr", lookup_expr="icontains"
    )
    object_type = django_filters.CharFilter(
        label=_("Object type"), field_name="object_type", lookup_expr="icontains"
    )
    object = django_filters.CharFilter(
        label=_("Object"), field_name="object_repr", lookup_expr="icontains"
    )
    since = django_filters.DateFilter(
        label=_("From"), field_name="created_at", lookup_expr="date__gte"
    )
    until = django_filters.DateFilter(
        label=_("Until"), field_name="created_at", lookup_expr="date__lte"
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []
