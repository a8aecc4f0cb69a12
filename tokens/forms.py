from django import forms

from mhsip.forms import FreeTextFormMixin
from mhsip.text import clean_free_text


class TokenForm(FreeTextFormMixin, forms.Form):
    name = forms.CharField(
        max_length=80,
        help_text="What will use it, e.g. 'Datix nightly push' or 'Power BI'.",
    )
    read_only = forms.BooleanField(
        required=False,
        label="Read-only: this token can read data but never change it",
    )

    def clean_name(self):
        return clean_free_text(self.cleaned_data["name"])
