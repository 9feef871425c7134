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
            # The respondent form saving pages in the background (form.js).
            "saving": _("Saving…"),
            "notSaved": _(
                "Your answers could not be saved. Check your connection and press the button again."
            ),
            "checkHighlighted": _("Please check the highlighted questions."),
            # Same text as the page template's {% blocktranslate %}; form.js fills it in.
            "pageOf": _("Page %(n)s of %(total)s"),
        }
