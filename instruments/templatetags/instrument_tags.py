from __future__ import annotations

import threading
from collections import OrderedDict

from django import template
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from instruments.rendering import ItemView

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


# --- one question's HTML, cached -------------------------------------------------------

ITEM_TEMPLATE = "instruments/form/item.html"
#: Fragments kept per process (least recently used go first). A questionnaire of 70
#: questions in two languages needs 140; the rest is room for shuffled option orders.
FRAGMENT_CACHE_SIZE = 2048
_fragments: OrderedDict[tuple[str, str, bool], str] = OrderedDict()
_fragments_lock = threading.Lock()


@register.simple_tag(takes_context=True)
def survey_item(context: template.Context, item: ItemView) -> str:
    """``{% include "instruments/form/item.html" %}`` for one question, from a cache.

    The HTML of a question depends only on its view model (texts, options in their
    order, the saved answer), its error message, whether it is marked hidden and the
    active language, so those are the key: the dataclass repr spells out every field.
    A blank question is the same for every respondent of a version, which is what makes
    rendering the whole questionnaire on a respondent's first page view cheap. A question
    with an answer or an error is rendered but not kept (it is one respondent's)."""
    errors = context.get("errors") or {}
    hidden_codes = context.get("hidden_codes") or ()
    problem = str(errors.get(item.code, "")) if isinstance(errors, dict) else ""
    hidden = item.code in hidden_codes
    personal = bool(problem) or _answered(item)
    key = (get_language() or "", repr(item), hidden)
    if not personal:
        with _fragments_lock:
            html = _fragments.get(key)
            if html is not None:
                _fragments.move_to_end(key)
                return html
    html = render_to_string(
        ITEM_TEMPLATE, {"item": item, "errors": errors, "hidden_codes": hidden_codes}
    )
    if not personal:
        with _fragments_lock:
            _fragments[key] = html
            while len(_fragments) > FRAGMENT_CACHE_SIZE:
                _fragments.popitem(last=False)
    return html


def _answered(item: ItemView) -> bool:
    return bool(
        item.value
        or item.values
        or item.other_value
        or any(row.value for row in item.rows)
        or any(option.selected for option in item.options)
    )
