"""django-filter, strictly: a declared filter given without a value is refused (400)
rather than read as "no filter" — ``?status=`` is a mistake, not a wish."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Any, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            empty = [
                name
                for name in filterset_class.base_filters
                if name in request.query_params and request.query_params[name] == ""
            ]
            if empty:
                raise ValidationError(
                    {name: [_("Give a value or leave it out.")] for name in empty}
                )
        return super().filter_queryset(request, queryset, view)
