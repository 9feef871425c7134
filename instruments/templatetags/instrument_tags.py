from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

ITEM_TYPE_LABELS = {
    "single": _("single choice"),
    "multiple": _("multiple choice"),
    "likert": _("rating scale"),
    "matrix": _("matrix"),
    "integer": _("whole number"),
    "decimal": _("number"),
    "text": _("text"),
    "ranking": _("ranking"),
    "year": _("year"),
    "date": _("date"),
    "note": _("note"),
}


@register.filter
def item_type_label(code: str) -> str:
    """The translated name of a question type code such as ``single``."""
    return str(ITEM_TYPE_LABELS.get(code, code))


@register.filter
def get_item(mapping: object, key: str) -> object:
    """``mapping[key]`` in a template, or "" when absent."""
    if isinstance(mapping, dict):
        return mapping.get(key, "")
    return ""
