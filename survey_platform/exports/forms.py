from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from survey_platform.fieldwork.models import Wave
from survey_platform.network.models import Station

FORMAT_CHOICES = [
    ("sav", _("SPSS (.sav), with variable and value labels")),
    ("dta", _("Stata (.dta), with variable and value labels")),
    ("csv", _("CSV (UTF-8, opens in Excel)")),
    ("xlsx", _("Excel workbook (.xlsx); slow for very large waves")),
    ("codebook", _("Codebook (.xlsx): variables, labels, values, skip logic")),
]
LANGUAGE_CHOICES = [("zh-hans", _("Chinese")), ("en", _("English"))]
FLAGGED_CHOICES = [
    ("", _("As the wave's analysis does")),
    ("no", _("Leave flagged responses out")),
    ("yes", _("Include flagged responses")),
]


class StationExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="sav")
    language = forms.ChoiceField(
        label=_("Language of the labels"), choices=LANGUAGE_CHOICES, initial="zh-hans"
    )


class OfficeExportForm(StationExportForm):
    station = forms.ModelChoiceField(
        label=_("Station"),
        queryset=Station.objects.none(),
        required=False,
        empty_label=_("All stations"),
    )
    flagged = forms.ChoiceField(
        label=_("Responses flagged by the quality checks"),
        choices=FLAGGED_CHOICES,
        required=False,
    )

    def __init__(self, *args: Any, wave: Wave, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        station = cast("forms.ModelChoiceField[Station]", self.fields["station"])
        station.queryset = Station.objects.filter(quotas__wave=wave).order_by("name")

    @property
    def include_flagged(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("flagged") or "")
