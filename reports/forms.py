from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from survey_platform.fieldwork.models import Wave, WaveStatus

from .models import BriefingLanguage


class GenerateForm(forms.Form):
    wave = forms.ModelChoiceField(
        label=_("Survey wave"),
        queryset=Wave.objects.exclude(status=WaveStatus.DRAFT).order_by("-opens_at"),
        to_field_name="code",
    )
    language = forms.ChoiceField(
        label=_("Edition"), choices=BriefingLanguage.choices, initial="zh-hans"
    )


class DeliverForm(forms.Form):
    recipients = forms.CharField(
        label=_("Recipients"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("E-mail addresses, one per line or separated by commas."),
    )


class StationReportForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Edition"), choices=BriefingLanguage.choices, initial="zh-hans"
    )
