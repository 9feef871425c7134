from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Region, Sector, Station, StationRole
from .services import STATION_FIELDS


class StationForm(forms.ModelForm[Station]):
    class Meta:
        model = Station
        fields = list(STATION_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Both are foreign keys of Station, so the model form made them ModelChoiceFields.
        region, sector = self.fields["region"], self.fields["sector"]
        assert isinstance(region, forms.ModelChoiceField)
        assert isinstance(sector, forms.ModelChoiceField)
        region.queryset = Region.objects.filter(level=Region.Level.COUNTY)
        region.error_messages["required"] = _("Choose the region of the station.")
        region.empty_label = _("Choose a region")
        sector.empty_label = _("Choose a sector")


class MembershipForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=StationRole.choices)

    def clean_username(self) -> Any:
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user with this name."))
        return user


class StationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.filter(level=Region.Level.COUNTY),
        required=False,
        empty_label=_("All regions"),
    )
    sector: forms.ModelChoiceField[Sector] = forms.ModelChoiceField(
        label=_("Sector"), queryset=None, required=False, empty_label=_("All sectors")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sector = self.fields["sector"]
        assert isinstance(sector, forms.ModelChoiceField)  # declared above
        sector.queryset = Sector.objects.all()
