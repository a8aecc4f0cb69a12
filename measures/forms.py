import datetime
import re
from decimal import Decimal

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from mhsip.forms import FreeTextFormMixin

from . import rules
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


DECIMAL = re.compile(r"-?\d{1,9}(?:[.,]\d{1,6})?")


class ValueField(CountField):
    """A text box for a duration or a mean score (inputmode decimal): a number with up to
    two decimal places; its range is a rule (`rules.value_errors`, with the return's other
    rules)."""

    def clean(self, value):
        text = forms.CharField.clean(self, value)
        if text == "":
            return None  # missing, never zero
        if not DECIMAL.fullmatch(text):
            raise forms.ValidationError(
                f"{self.label} must be a number, like 12.5", code="not_a_number"
            )
        return Decimal(text.replace(",", "."))


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


VERSION_MISSING_MESSAGE = (
    "This form did not say which version of the return it started from, so nothing was saved "
    "(it could overwrite someone else's change). Reload the page and enter your figures again."
)


class WeeklyReturnForm(FreeTextFormMixin, forms.Form):
    """One ward-week: beds open, occupied bed days and a count per measure.

    A blank count is *missing*; "none this week" turns a blank into a real 0. `clean` applies
    every rule of a return (`measures.rules`) so all errors show in one round; the service
    applies them again under the row lock."""

    # Required: a POST that does not say which version it read would overwrite whatever was
    # saved meanwhile (the concurrent-edit check needs it). The page always sends it.
    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0,
        error_messages={"required": VERSION_MISSING_MESSAGE},
    )  # fmt: skip
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
    confirm_unfinished = forms.BooleanField(
        label="The week ends tonight: these bed days are final", required=False
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
        self.ends_tonight = today == week_start + datetime.timedelta(days=6)
        # After a refused concurrent edit: field name -> the value now saved, for the fields
        # where it differs from what was typed (show_now_saved).
        self.saved, self.saved_shown = {}, {}
        self.date_fields = {}  # code -> names of its date boxes, in order
        self.value_measures = [m for m in measures if rules.value_type(m) in rules.VALUE_TYPES]
        self.measures = measures = [m for m in measures if rules.value_type(m) == rules.COUNT]
        for measure in measures:
            self.fields[f"m_{measure.code}"] = CountField(label=measure.name)
            self.fields[f"none_{measure.code}"] = forms.BooleanField(
                label="None this week", required=False
            )
            self.fields[f"nc_{measure.code}"] = forms.BooleanField(
                label="Not collected this week", required=False
            )
            self._add_date_fields(measure, (saved.dates if saved else {}).get(measure.code, ()))
        for measure in self.value_measures:
            self._add_value_fields(measure)

    def _add_value_fields(self, measure) -> None:
        """A proportion has two boxes (numerator, denominator); a duration or score one."""
        if measure.value_type == rules.PROPORTION:
            self.fields[f"num_{measure.code}"] = CountField(
                label=f"{measure.name}: {measure.numerator_label or 'numerator'}")
            self.fields[f"den_{measure.code}"] = CountField(
                label=f"{measure.name}: {measure.denominator_label or 'denominator'}")
        else:
            self.fields[f"v_{measure.code}"] = ValueField(label=measure.name)

    def _values(self, data) -> dict:
        """code -> Proportion or Decimal (None: blank, missing) of the figures typed; a box
        that is not a number is its own error and its measure is left out."""
        values = {}
        for measure in self.value_measures:
            code = measure.code
            if measure.value_type != rules.PROPORTION:
                if f"v_{code}" not in self.errors:
                    values[code] = data.get(f"v_{code}")
                continue
            if f"num_{code}" in self.errors or f"den_{code}" in self.errors:
                continue
            top, bottom = data.get(f"num_{code}"), data.get(f"den_{code}")
            values[code] = None if top is None and bottom is None else rules.Proportion(top, bottom)
        return values

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
        # The identifier guard (FreeTextFormMixin) then refuses NHS numbers in it.
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
        data["values"] = self._values(data)
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
            confirm_unfinished=data.get("confirm_unfinished", False),
            values=data["values"],
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
        code, _, part = key.partition(".")
        for name in ((f"num_{code}" if part == "numerator" else f"den_{code}") if part else "",
                     f"v_{code}", f"num_{code}"):  # fmt: skip
            if name in self.fields:
                return name
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
        typed |= {name: rules.number_text(data[name]) if isinstance(data[name], Decimal)
                  else data[name] for name in self.fields
                  if name.startswith(("num_", "den_", "v_")) and name in data}  # fmt: skip
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
        for measure in self.value_measures:
            groups.setdefault(measure.domain, []).append(self._value_row(measure))
        order = [d for d, _ in Measure.Domain.choices]
        for rows in groups.values():
            rows.sort(key=lambda row: (row["measure"].display_order, row["measure"].name))
        return [(labels[d], groups[d]) for d in order if d in groups]

    def _value_row(self, measure) -> dict:
        code = measure.code
        names = [f"num_{code}", f"den_{code}"] if measure.value_type == rules.PROPORTION \
            else [f"v_{code}"]  # fmt: skip
        saved = (self.saved_return.values if self.saved_return else {}).get(code)
        return {"measure": measure, "value_type": measure.value_type,
                "inputs": [self[name] for name in names],
                "field": self[names[0]], "saved": rules.value_text(saved),
                "show_saved": any(name in self.saved for name in names),
                "limit": self._limit(measure)}  # fmt: skip

    def _limit(self, measure) -> str:
        """The hint of a figure's range, as its rule checks it."""
        if measure.value_type == rules.DURATION:
            beds = (self.saved_return.beds if self.saved_return else None) or self.ward.beds
            return f"at most {rules.duration_limit(measure, beds):,} {measure.duration_unit} " \
                f"(every bed all week)"  # fmt: skip
        if measure.value_type == rules.SCORE:
            low, high = measure.score_min, measure.score_max
            return f"from {rules.value_text(low)} to {rules.value_text(high)}"
        return ""
