import datetime
import re

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from mhsip.text import find_patient_identifier

from . import rules
from .importing import MAX_BYTES
from .models import Measure

NUMBER = re.compile(r"-?\d{1,15}")
ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
UK_DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
# The form offers a date box per incident up to this count (a rare event's week has a few);
# above it the chart uses the weekly count, and days come by file or API if at all.
MAX_DATE_FIELDS = 10
# However many date boxes a posted form claims, no more are read (a crafted POST cannot make
# thousands of fields); days saved by import or API are always shown.
MAX_POSTED_DATES = 200
DATE_KEY = re.compile(r"d_(?P<code>[a-z0-9_]+?)_(?P<index>\d{1,4})")


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


class IncidentDateField(forms.CharField):
    """The day of one incident: a native date box (YYYY-MM-DD), or a day typed as 3/3/2025
    where the browser has none. A day only; its rules (its week, not in the future, the ward
    open) are `rules.incident_dates_errors`, applied with the return's other rules."""

    def __init__(self, *, label, **kwargs):
        super().__init__(label=label, required=False, strip=True, max_length=10, **kwargs)

    def clean(self, value):
        text = (super().clean(value) or "").replace("\x00", "")
        if text == "":
            return None
        match = ISO_DAY.fullmatch(text)
        year, month, day = match.groups() if match else (None, None, None)
        if match is None and (match := UK_DAY.fullmatch(text)):
            day, month, year = match.groups()
        try:
            return datetime.date(int(year), int(month), int(day))
        except (TypeError, ValueError):
            raise forms.ValidationError(
                f"{self.label}: enter a real day, like 3/3/2025", code="not_a_day"
            ) from None


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
                 all_measures: dict | None = None, required=None, **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.measures = measures
        self.ward, self.week_start, self.saved_return, self.today = ward, week_start, saved, today
        self.submit = submit
        self.all_measures = all_measures or {m.code: m for m in measures}
        self.required = required  # codes a submitted return must answer (rules.answer_errors)
        self.needs_reason = rules.is_late(saved, week_start, today)
        # After a refused concurrent edit: field name -> the value now saved, for the fields
        # where it differs from what was typed (show_now_saved).
        self.saved, self.saved_shown = {}, {}
        self.date_fields = {}  # code -> names of its date boxes, in order
        for measure in measures:
            self.fields[f"m_{measure.code}"] = CountField(label=measure.name)
            self.fields[f"none_{measure.code}"] = forms.BooleanField(
                label="None this week", required=False
            )
            self.fields[f"nc_{measure.code}"] = forms.BooleanField(
                label="Not collected this week", required=False
            )
            self._add_date_fields(measure, (saved.dates if saved else {}).get(measure.code, ()))

    def _date_slots(self, code: str, saved_days) -> int:
        """How many date boxes a measure gets: one per incident of its count (up to
        MAX_DATE_FIELDS), and never fewer than the days saved or typed, so none is lost."""
        if self.is_bound:
            count = self.data.get(f"m_{code}", "")
            posted = [int(m["index"]) + 1 for key in self.data
                      if (m := DATE_KEY.fullmatch(key)) and m["code"] == code]  # fmt: skip
            typed = min(max(posted, default=0), MAX_POSTED_DATES)
        else:
            count = (self.saved_return.counts if self.saved_return else {}).get(code, "")
            typed = 0
        count = str(count).strip()
        wanted = int(count) if count.isdigit() and int(count) <= MAX_DATE_FIELDS else 0
        return max(wanted, typed, len(saved_days))

    def _add_date_fields(self, measure, saved_days) -> None:
        names = []
        for index in range(self._date_slots(measure.code, saved_days)):
            name = f"d_{measure.code}_{index}"
            self.fields[name] = IncidentDateField(
                label=f"Incident {index + 1} of {measure.name.lower()}"
            )
            if not self.is_bound and index < len(saved_days):
                self.initial[name] = saved_days[index].isoformat()
            names.append(name)
        self.date_fields[measure.code] = names

    def _incident_dates(self, data) -> dict:
        """The days typed for each measure of the form (an empty list: none, which removes
        saved ones); a box that is not a day is its own error."""
        return {
            code: sorted(data[name] for name in names if data.get(name) is not None)
            for code, names in self.date_fields.items()
        }

    def clean_reason(self):
        return self.cleaned_data["reason"].replace("\x00", "").strip()

    def _counts(self, data) -> dict:
        counts, data["not_collected"] = {}, []
        for measure in self.measures:
            name = f"m_{measure.code}"
            value, none = data.get(name), data.get(f"none_{measure.code}")
            not_collected = data.get(f"nc_{measure.code}")
            if name in self.errors:
                continue
            if none and value:
                self.add_error(name, (
                    f"{measure.name}: you ticked 'none this week' but entered {value}. Clear "
                    "the count or untick 'none'"
                ))
                continue
            if not_collected and (none or value is not None):
                self.add_error(name, (
                    f"{measure.name}: you ticked 'not collected this week' but also "
                    f"{'none this week' if none else f'entered {value}'}. Keep one"
                ))
                continue
            if not_collected:
                data["not_collected"].append(measure.code)
            counts[measure.code] = 0 if none and value is None else value
        return counts

    def clean(self):
        data = super().clean()
        data["counts"] = counts = self._counts(data)
        data["incident_dates"] = self._incident_dates(data)
        saved = self.saved_return
        beds = data.get("beds") or (saved.beds if saved else self.ward.beds)
        was_submitted = saved is not None and saved.status == rules.SUBMITTED
        errors = rules.return_errors(
            ward=self.ward, week_start=self.week_start, today=self.today,
            beds=None if "beds" in self.errors else beds,
            occupied_bed_days=data.get("occupied_bed_days"),
            status=rules.SUBMITTED if self.submit or was_submitted else rules.DRAFT,
            counts=counts, measures=self.all_measures, saved=saved,
            reason=data.get("reason", ""), incident_dates=data["incident_dates"],
            not_collected=data["not_collected"], required=self.required,
        )  # fmt: skip
        for key, message in errors.items():
            name = self.field_for(key, data)
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def field_for(self, key: str, data=None) -> str:
        """The form field a service error key belongs to (a measure code, a model field, or
        `incident_dates.<code>`: the first date box whose day breaks a rule, else the first)."""
        if key.startswith(rules.DATES_FIELD + "."):
            code = key.split(".", 1)[1]
            names = self.date_fields.get(code) or [f"m_{code}"]
            data = data if data is not None else getattr(self, "cleaned_data", {})
            week = {"ward": self.ward, "week_start": self.week_start, "today": self.today}
            for name in names:
                if (day := data.get(name)) and rules.incident_date_error(day, **week):
                    return name
            return names[0] if names[0] in self.fields else None
        if f"m_{key}" in self.fields:
            return f"m_{key}"
        if key in self.fields:
            return key
        return None

    def show_now_saved(self, now_saved: dict) -> None:
        """After a refused concurrent edit: note what is now saved under each field whose
        saved value differs from what was typed (a field in error always differs). A blank
        beds box keeps the saved beds, so it never differs."""
        data = getattr(self, "cleaned_data", {})
        typed = {"occupied_bed_days": data.get("occupied_bed_days")}
        if data.get("beds") is not None:
            typed["beds"] = data["beds"]
        typed |= {f"m_{code}": value for code, value in data.get("counts", {}).items()}
        self.saved = {
            name: value for name, value in now_saved.items()
            if name in self.errors or (name in typed and typed[name] != value)
        }  # fmt: skip
        self.saved_shown = dict.fromkeys(self.saved, True)

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
                    "not_collected": self[f"nc_{measure.code}"],
                    "saved": self.saved.get(name) if name in self.saved else None,
                    "show_saved": name in self.saved,
                    "dates": [self[d] for d in self.date_fields[measure.code]],
                    "too_many": not self.date_fields[measure.code]
                    and str(self[name].value() or "").strip().isdigit()
                    and int(str(self[name].value()).strip()) > MAX_DATE_FIELDS,
                    "saved_days": (self.saved_return.dates if self.saved_return else {}).get(
                        measure.code, ()
                    ),
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
