from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import InstrumentKind


class XlsformUploadForm(forms.Form):
    file = forms.FileField(
        label=_("XLSForm workbook (.xlsx)"),
        error_messages={"required": _("Choose an .xlsx file to upload.")},
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook with the .xlsx extension."))
        data: bytes = upload.read()
        return data


class NewInstrumentForm(XlsformUploadForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=InstrumentKind.choices)
    code = forms.SlugField(
        label=_("Code"),
        required=False,
        help_text=_("Leave empty to use the form_id of the workbook."),
    )
