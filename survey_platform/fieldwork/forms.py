from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from instruments.models import InstrumentVersion, VersionStatus
from survey_platform.network.models import Station

from .models import Wave

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class WaveForm(forms.ModelForm[Wave]):
    class Meta:
        model = Wave
        fields = ["code", "title", "title_en", "kind", "instrument_version", "opens_at",
                  "closes_at", "exclude_flagged", "purge_after_days"]  # fmt: skip
        widgets = {"opens_at": DATETIME_WIDGET, "closes_at": DATETIME_WIDGET}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model form's fields for a foreign key and for two DateTimeFields.
        version = self.fields["instrument_version"]
        assert isinstance(version, forms.ModelChoiceField)
        version.queryset = InstrumentVersion.objects.filter(
            status=VersionStatus.PUBLISHED
        ).select_related("instrument")
        for name in ("opens_at", "closes_at"):
            moment = self.fields[name]
            assert isinstance(moment, forms.DateTimeField)
            moment.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class QuotaForm(forms.Form):
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.filter(active=True)
    )
    target = forms.IntegerField(label=_("Target completes"), min_value=1, max_value=100000)


class CopyWaveForm(forms.Form):
    code = forms.CharField(label=_("Code of the new wave"), max_length=20)
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DATETIME_WIDGET,
                                   input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])  # fmt: skip
    closes_at = forms.DateTimeField(label=_("Closes"), widget=DATETIME_WIDGET,
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])  # fmt: skip
