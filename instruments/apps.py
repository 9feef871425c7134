from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    """Versioned storage of questionnaires. The questionnaire logic itself (schema, logic
    language, XLSForm) is plain Python in this package and never imports Django."""

    name = "instruments"
    verbose_name = _("Questionnaires")
