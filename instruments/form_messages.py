"""The few messages the browser shows while a respondent fills in the form.

They are rendered server-side in the *form's* language (which may differ from the office
interface language in the preview) and handed to form.js as JSON.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _


def form_messages(language: str) -> dict[str, str]:
    with translation.override(language):
        return {
            "required": _("This question requires an answer"),
            "minChoices": _("Choose at least %s options"),
            "maxChoices": _("Choose at most %s options"),
            "rankTwice": _("Each option can be ranked only once"),
            "specifyOther": _("Please specify your other answer"),
            "constraint": _("This answer does not meet the condition for this question"),
            "matrixIncomplete": _("Please answer every row"),
        }
