"""The forms of change ideas and PDSA cycles. Each types its values, refuses NHS numbers in
free text, and asks measures/pdsa_rules.py for every rule in the same round (a value that did
not type is None there, so the rules about it wait)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from mhsip.forms import IsoDateInput
from mhsip.text import clean_free_text

from . import pdsa_rules
from .selectors import measures_for_ward

ISO = "%Y-%m-%d"


class DayField(forms.DateField):
    """A day: the browser's date box (its value is always YYYY-MM-DD, so a saved date shows
    again when the form is edited) or a day typed as 3/3/2025 where there is none."""

    def __init__(self, *, label, required=True, **kwargs):
        super().__init__(
            label=label, required=required, input_formats=[ISO, "%d/%m/%Y"],
            widget=IsoDateInput(attrs={"class": "nhsuk-input nhsuk-input--width-10"}),
            error_messages={"invalid": f"{label}: enter a real day, like 3/3/2025",
                            "required": f"{label}: give the day"},
            **kwargs,
        )  # fmt: skip


class TextField(forms.CharField):
    """Free text about the change: NUL removed, NHS numbers refused (mhsip.text)."""

    def __init__(self, *, label, required=False, rows=None, max_length=pdsa_rules.MAX_TEXT,
                 **kwargs):  # fmt: skip
        widget = (forms.Textarea(attrs={"rows": rows, "class": "nhsuk-textarea"}) if rows
                  else forms.TextInput(attrs={"class": "nhsuk-input"}))  # fmt: skip
        super().__init__(label=label, required=required, widget=widget, **kwargs)
        self.limit = max_length
        self.error_messages["required"] = f"{label}: this cannot be blank"

    def to_python(self, value):
        return super().to_python((value or "").replace("\x00", ""))

    def validate(self, value):
        super().validate(value)
        try:
            clean_free_text(value)
        except ValidationError as error:
            raise forms.ValidationError(f"{self.label}: {error.messages[0]}") from None


class _RuledForm(forms.Form):
    """Adds the rules' errors to the fields that typed (one message per field)."""

    def _add_rule_errors(self, errors: dict) -> None:
        for key, message in errors.items():
            key = key if key in self.fields else None
            if key is None or key not in self.errors:
                self.add_error(key, message)

    def _value(self, key):
        return self.cleaned_data.get(key) if key not in self.errors else None

    def _texts(self, *keys) -> dict:
        return {k: self._value(k) for k in keys if k in self.fields}


class IdeaFields(_RuledForm):
    title = TextField(label="Change idea", required=True, max_length=pdsa_rules.MAX_TITLE,
                      help_text="For example: Safewards calm-down methods.")  # fmt: skip
    started_on = DayField(label="Started on", help_text="The day the ward began testing it.")
    driver_area = TextField(label="Driver diagram area", max_length=120,
                            help_text="For example: Safewards, huddles, environment.")  # fmt: skip
    measures = forms.MultipleChoiceField(
        label="Measures it aims to improve", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="It is drawn on the charts of these measures only.",
    )  # fmt: skip
    notes = TextField(label="Notes", rows=3,
                      help_text="About the change, never about a patient: no names or NHS "
                      "numbers.")  # fmt: skip

    def __init__(self, *args, ward, **kwargs):
        super().__init__(*args, **kwargs)
        self.ward = ward
        self.fields["measures"].choices = [(m.code, m.name) for m in measures_for_ward(ward)]

    def idea_rule_errors(self, first_cycle_starts_on=None) -> dict:
        return pdsa_rules.idea_errors(
            title=self._value("title"), started_on=self._value("started_on"),
            measure_codes=self._value("measures"),
            allowed_codes={code for code, _ in self.fields["measures"].choices},
            today=timezone.localdate(), first_cycle_starts_on=first_cycle_starts_on,
        )  # fmt: skip


class PlanFields(_RuledForm):
    owner_role = TextField(
        label="Owner's role", max_length=pdsa_rules.MAX_ROLE,
        help_text="A role or job title, for example Charge nurse: never a person's name.",
    )  # fmt: skip
    starts_on = DayField(label="Cycle starts on", required=False,
                         help_text="Blank: the day the change idea started.")  # fmt: skip
    ends_on = DayField(label="Cycle ends on", required=False,
                       help_text="Planned end; give the actual day when you close it.")
    plan = TextField(label="Plan: what will change, and why", required=True, rows=3)
    prediction = TextField(label="Prediction: what you expect to happen", required=True, rows=2,
                           help_text="For example: fewer restraints on the late shift within "
                           "four weeks.")  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_role"].widget.attrs["list"] = "owner-roles"
        self.fields["owner_role"].widget.attrs["autocomplete"] = "off"
        self.owner_roles = pdsa_rules.OWNER_ROLES


class StageFields(_RuledForm):
    do = TextField(label="Do: what happened", rows=3)
    study = TextField(label="Study: what the data showed against the prediction", rows=3)
    act = TextField(label="Act: what happens next", rows=3)
    outcome = forms.ChoiceField(
        label="Outcome", required=False, widget=forms.RadioSelect,
        choices=[("", "Not yet: the cycle is still running"),
                 *pdsa_rules.OUTCOME_LABELS.items()],
    )  # fmt: skip


def _cycle_rules(form, saved: dict, idea_started_on) -> dict:
    """The cycle's rules on what the form typed, the saved cycle filling what it lacks."""
    keys = ("plan", "prediction", "do", "study", "act", "outcome", "starts_on", "ends_on",
            "owner_role")  # fmt: skip
    values = {k: form._value(k) if k in form.fields else saved.get(k) for k in keys}
    return pdsa_rules.cycle_errors(**values, today=timezone.localdate(),
                                   idea_started_on=idea_started_on)  # fmt: skip


class ChangeIdeaNewForm(IdeaFields, PlanFields):
    """A new change idea with its first cycle's plan."""

    field_order = ["title", "started_on", "driver_area", "measures", "notes", "owner_role",
                   "starts_on", "ends_on", "plan", "prediction"]  # fmt: skip

    def clean(self):
        super().clean()
        errors = self.idea_rule_errors()
        cycle = _cycle_rules(self, {}, self._value("started_on"))
        if self._value("starts_on") is None and "starts_on" not in self.errors:
            cycle.pop("starts_on", None)
        self._add_rule_errors(errors | {k: v for k, v in cycle.items() if k not in errors})
        return self.cleaned_data


class ChangeIdeaEditForm(IdeaFields):
    def __init__(self, *args, idea, **kwargs):
        super().__init__(*args, ward=idea.ward, **kwargs)
        self.idea = idea

    def clean(self):
        super().clean()
        first = self.idea.cycles.order_by("number").first()
        self._add_rule_errors(self.idea_rule_errors(first.starts_on if first else None))
        return self.cleaned_data


class PdsaCycleNewForm(PlanFields):
    """The next cycle of an idea: its plan."""

    def __init__(self, *args, idea, **kwargs):
        super().__init__(*args, **kwargs)
        self.idea = idea
        self.fields["starts_on"].required = True
        self.fields["starts_on"].help_text = ""

    def clean(self):
        super().clean()
        errors = _cycle_rules(self, {}, self.idea.started_on)
        last = self.idea.cycles.order_by("-number").first()
        open_number = last.number if last and not last.outcome else None
        if message := pdsa_rules.new_cycle_error(open_number):
            errors["__all__"] = message
        self._add_rule_errors(errors)
        return self.cleaned_data


class PdsaCycleForm(PlanFields, StageFields):
    """Every part of a cycle, as it goes: its plan, then Do, Study, Act and its outcome."""

    field_order = ["owner_role", "starts_on", "ends_on", "plan", "prediction", "do", "study",
                   "act", "outcome"]  # fmt: skip

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.fields["starts_on"].required = True
        self.fields["starts_on"].help_text = ""

    def clean(self):
        super().clean()
        self._add_rule_errors(_cycle_rules(self, {}, self.cycle.idea.started_on))
        return self.cleaned_data


class PdsaCloseForm(StageFields):
    """Close a cycle: what the data showed, what happens next, the outcome and the day."""

    ends_on = DayField(label="Cycle ended on")
    field_order = ["study", "act", "outcome", "ends_on"]

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        del self.fields["do"]
        self.fields["outcome"].required = True
        self.fields["outcome"].choices = list(pdsa_rules.OUTCOME_LABELS.items())
        self.fields["outcome"].error_messages["required"] = "Outcome: choose adopt, adapt or " \
                                                            "abandon"  # fmt: skip
        self.fields["act"].required = True
        self.fields["act"].error_messages["required"] = "Act: say what happens next"

    def clean(self):
        super().clean()
        saved = {k: getattr(self.cycle, k) for k in ("plan", "prediction", "do", "starts_on",
                                                     "owner_role")}  # fmt: skip
        self._add_rule_errors(_cycle_rules(self, saved, self.cycle.idea.started_on))
        return self.cleaned_data
