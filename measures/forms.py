import datetime
import re

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from mhsip.text import find_patient_identifier

from . import rules
from .importing import MAX_BYTES
from .models import Measure

NUMBER = re.compile(r"-?\d{1,15}")


class CountField(forms.CharField):
    """A text box for a whole number (NHS.UK: inputmode numeric, not type=number); its range
    is a rule (`rules.number_error`)."""

    def __init__(self, *, label, minimum=0, maximum=rules.MAX_COUNT, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        super().__init__(label=label, required=False, strip=True, max_length=12, **kwargs)
        # Django's CharField refuses NUL with a vague message; PostgreSQL refuses it anyway.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def to_python(self, value):
        return super().to_python((value or "").replace("\x00", ""))

    def clean(self, value):
        text = super().clean(value)
        if text == "":
            return None  # missing, never zero
        if not NUMBER.fullmatch(text):
            raise forms.ValidationError(
                f"{self.label} must be a whole number, like 0 or 3", code="not_whole_number"
            )
        number = int(text)
        message = rules.number_error(
            number, label=self.label, minimum=self.minimum, maximum=self.maximum
        )
        if message:
            raise forms.ValidationError(message, code="out_of_range")
        return number


class WeeklyReturnForm(forms.Form):
    """One ward-week: beds open, occupied bed days and a count per measure.

    A blank count is *missing*; "none this week" turns a blank into a real 0. `clean` applies
    every rule of a return (`measures.rules`) so all errors show in one round; the service
    applies them again under the row lock."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    beds = CountField(label="Beds open", minimum=1, maximum=rules.MAX_BEDS)
    occupied_bed_days = CountField(
        label="Occupied bed days", maximum=rules.MAX_BEDS * rules.DAYS_IN_WEEK
    )
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

    def __init__(self, *args, measures: list[Measure], ward, week_start: datetime.date,
                 saved: rules.SavedReturn | None, today: datetime.date, submit: bool = False,
                 all_measures: dict | None = None, **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.measures = measures
        self.ward, self.week_start, self.saved_return, self.today = ward, week_start, saved, today
        self.submit = submit
        self.all_measures = all_measures or {m.code: m for m in measures}
        self.needs_reason = rules.is_late(saved, week_start, today)
        self.saved = {}  # field name -> value now saved, after a refused concurrent edit
        for measure in measures:
            self.fields[f"m_{measure.code}"] = CountField(label=measure.name)
            self.fields[f"none_{measure.code}"] = forms.BooleanField(
                label="None this week", required=False
            )

    def clean_reason(self):
        return self.cleaned_data["reason"].replace("\x00", "").strip()

    def _counts(self, data) -> dict:
        counts = {}
        for measure in self.measures:
            name = f"m_{measure.code}"
            value, none = data.get(name), data.get(f"none_{measure.code}")
            if name in self.errors:
                continue
            if none and value:
                self.add_error(name, (
                    f"{measure.name}: you ticked 'none this week' but entered {value}. Clear "
                    "the count or untick 'none'"
                ))
                continue
            counts[measure.code] = 0 if none and value is None else value
        return counts

    def clean(self):
        data = super().clean()
        data["counts"] = counts = self._counts(data)
        saved = self.saved_return
        beds = data.get("beds") or (saved.beds if saved else self.ward.beds)
        was_submitted = saved is not None and saved.status == rules.SUBMITTED
        errors = rules.return_errors(
            ward=self.ward, week_start=self.week_start, today=self.today,
            beds=None if "beds" in self.errors else beds,
            occupied_bed_days=data.get("occupied_bed_days"),
            status=rules.SUBMITTED if self.submit or was_submitted else rules.DRAFT,
            counts=counts, measures=self.all_measures, saved=saved,
            reason=data.get("reason", ""),
        )  # fmt: skip
        for key, message in errors.items():
            name = self.field_for(key)
            if name not in self.errors:
                self.add_error(name, message)
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

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused before anything is read into memory or stored.
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it into "
                "smaller files (at most 50,000 rows each)"
            )
        name = (upload.name or "upload").replace("\x00", "")[:255]
        if find_patient_identifier(name):
            raise forms.ValidationError(
                "The file name looks like it holds an NHS number: rename the file (the name is "
                "kept in the history of every change it makes)"
            )
        upload.clean_name = name
        return upload
