"""Form widgets shared by every app: ISO date boxes and NHS.UK-styled controls."""

from django import forms
from django.forms.widgets import Input

# A browser's <input type=date> takes and gives YYYY-MM-DD only. Django renders a date in the
# active locale's format (07/06/2021 under en-GB), which the box shows as blank, so saving the
# form again would send nothing and wipe the saved date.
ISO_DATE = "%Y-%m-%d"


class IsoDateInput(forms.DateInput):
    """A native date box that shows the saved date: always ISO, whatever the locale."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


# NHS.UK frontend classes by widget type (a subclass matches its base's entry).
_CLASSES = (
    (forms.Select, "nhsuk-select", "nhsuk-select--error"),
    (forms.Textarea, "nhsuk-textarea", "nhsuk-textarea--error"),
    (forms.DateInput, "nhsuk-input nhsuk-input--width-10", "nhsuk-input--error"),
    (forms.NumberInput, "nhsuk-input nhsuk-input--width-4", "nhsuk-input--error"),
    (Input, "nhsuk-input", "nhsuk-input--error"),
)
_SKIP = (forms.CheckboxInput, forms.HiddenInput, forms.FileInput, forms.RadioSelect)


class NhsukBoundField(forms.BoundField):
    """A field rendered as NHS.UK asks: the component's class (its error variant when the
    field has an error) and aria-describedby naming the hint and the error message that
    `templates/includes/field.html` prints beside it."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, _SKIP):
            return attrs
        for kind, css, error_css in _CLASSES:
            if isinstance(widget, kind):
                classes = [attrs.get("class", ""), css, error_css if self.errors else ""]
                attrs["class"] = " ".join(c for c in classes if c)
                break
        described = [f"{self.id_for_label}-hint"] if self.help_text else []
        described += [f"{self.id_for_label}-error"] if self.errors else []
        if described:
            attrs["aria-describedby"] = " ".join(described)
        return attrs


class NhsukFormMixin:
    """Mix into a form rendered field by field with `includes/field.html`."""

    bound_field_class = NhsukBoundField
