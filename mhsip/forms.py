"""The identifier guard on forms: every text field of a form (and of every admin form, see
`mhsip.admin`) refuses NHS numbers and warns about names and dates of birth."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError

from .text import clean_free_text, identifier_warning


def is_free_text(field: forms.Field) -> bool:
    # Passwords are secrets, not text about a ward; choices cannot hold anything typed.
    return isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)


class FreeTextFormMixin:
    """Put first in a form's bases. After the fields' own cleaning, each text field's value
    goes through `clean_free_text` (an NHS number is that field's error, with the form's
    other errors in the same round) and `identifier_warning`: `text_warnings` maps field
    names to warnings the view shows once the form is saved (`show_text_warnings`)."""

    def _clean_fields(self):
        super()._clean_fields()
        self.text_warnings = {}
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if not isinstance(value, str) or not is_free_text(field):
                continue
            try:
                self.cleaned_data[name] = value = clean_free_text(value)
            except ValidationError as error:
                self.add_error(name, error)
                continue
            warning = identifier_warning(value, str(field.label or name.replace("_", " ")))
            if warning:
                self.text_warnings[name] = warning


def show_text_warnings(request, form) -> None:
    for warning in getattr(form, "text_warnings", {}).values():
        messages.warning(request, warning)


class FreeTextModelForm(FreeTextFormMixin, forms.ModelForm):
    """The admin's base form (ModelAdmin.get_form makes each model's form from it)."""
