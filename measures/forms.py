import re

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from .models import Measure

NUMBER = re.compile(r"-?\d+")


def _whole_number(value: str, *, label: str, minimum: int = 0) -> int | None:
    """'' -> None (missing); a whole number >= minimum; otherwise a message naming the field."""
    text = (value or "").strip().replace("\x00", "")
    if text == "":
        return None
    if not NUMBER.fullmatch(text):
        raise forms.ValidationError(
            f"{label} must be a whole number, like 0 or 3", code="not_whole_number"
        )
    number = int(text)
    if number < minimum:
        if minimum == 0:
            raise forms.ValidationError(f"{label} cannot be negative", code="negative")
        raise forms.ValidationError(f"{label} must be at least {minimum}", code="too_small")
    if number > 100_000:
        raise forms.ValidationError(f"{label} is too large for one week", code="too_large")
    return number


class CountField(forms.CharField):
    """A text box for a whole number (NHS.UK: inputmode numeric, not type=number)."""

    def __init__(self, *, label, minimum=0, **kwargs):
        self.minimum = minimum
        super().__init__(label=label, required=False, strip=True, max_length=12, **kwargs)
        # Django's CharField refuses NUL with a vague message; PostgreSQL refuses it anyway.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def to_python(self, value):
        return super().to_python((value or "").replace("\x00", ""))

    def clean(self, value):
        text = super().clean(value)
        return _whole_number(text, label=self.label, minimum=self.minimum)


class WeeklyReturnForm(forms.Form):
    """One ward-week: beds open, occupied bed days and a count per measure.

    A blank count is *missing*; "none this week" turns a blank into a real 0."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    beds = CountField(label="Beds open", minimum=1)
    occupied_bed_days = CountField(label="Occupied bed days")
    reason = forms.CharField(
        label="Why are you changing this return?",
        required=False,
        max_length=100,
        widget=forms.TextInput,
        help_text="It was submitted and its week ended more than 4 weeks ago. Your reason is "
        "kept in the history. Do not name patients or staff.",
    )
    confirm_implausible = forms.BooleanField(
        label="I have checked these counts and they are correct", required=False
    )

    def __init__(self, *args, measures: list[Measure], needs_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = measures
        self.needs_reason = needs_reason
        self.saved = {}  # field name -> value now saved, after a refused concurrent edit
        self.fields["reason"].required = needs_reason
        self.fields["reason"].error_messages["required"] = (
            "Say why you are changing a return submitted more than 4 weeks after its week"
        )
        for measure in measures:
            self.fields[f"m_{measure.code}"] = CountField(label=measure.name)
            self.fields[f"none_{measure.code}"] = forms.BooleanField(
                label="None this week", required=False
            )

    def clean_reason(self):
        return self.cleaned_data["reason"].replace("\x00", "").strip()

    def clean(self):
        data = super().clean()
        counts = {}
        for measure in self.measures:
            value = data.get(f"m_{measure.code}")
            none = data.get(f"none_{measure.code}")
            if f"m_{measure.code}" in self.errors:
                continue
            if none and value:
                self.add_error(
                    f"m_{measure.code}",
                    f"{measure.name}: you ticked 'none this week' but entered {value}. "
                    "Clear the count or untick 'none'",
                )
                continue
            counts[measure.code] = 0 if none and value is None else value
        data["counts"] = counts
        beds, bed_days = data.get("beds"), data.get("occupied_bed_days")
        if beds and bed_days is not None and bed_days > beds * 7:
            self.add_error(
                "occupied_bed_days",
                f"Occupied bed days cannot be more than beds open × 7 ({beds} × 7 = {beds * 7})",
            )
        return data

    def field_for(self, key: str) -> str:
        """The form field a service error key belongs to (a measure code or a model field)."""
        if f"m_{key}" in self.fields:
            return f"m_{key}"
        if key in self.fields:
            return key
        return None

    def groups(self):
        """[(domain label, [row])] in catalogue order; a row has the measure, its count and
        'none' fields, and the value now saved when a concurrent edit was refused."""
        labels = dict(Measure.Domain.choices)
        groups = {}
        for measure in self.measures:
            name = f"m_{measure.code}"
            groups.setdefault(measure.domain, []).append(
                {
                    "measure": measure,
                    "field": self[name],
                    "none": self[f"none_{measure.code}"],
                    "saved": self.saved.get(name) if name in self.saved else None,
                    "show_saved": bool(self.saved),
                }
            )
        order = [d for d, _ in Measure.Domain.choices]
        return [(labels[d], groups[d]) for d in order if d in groups]


class ReturnImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV or Excel (.xlsx) file",
        help_text="One row per ward and week, in the format of the template. Up to 50,000 rows.",
        error_messages={
            "required": "Select a CSV or Excel file to upload",
            "empty": "The selected file is empty",
        },
    )
    snap_to_monday = forms.BooleanField(
        label="Move dates that are not Mondays to the Monday of their week",
        required=False,
    )
