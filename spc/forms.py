import datetime

from django import forms
from django.conf import settings
from django.utils import timezone

from measures.models import Programme, ProgrammeTarget
from mhsip.forms import IsoDateInput, NhsukFormMixin
from mhsip.text import clean_free_text
from mhsip.weeks import monday_of

from .models import ChartSetting


def _monday(value: datetime.date | None) -> datetime.date | None:
    # A date anywhere in the week means that week: snap to its Monday.
    return None if value is None else monday_of(value)


NUMERIC_TARGETS = [k for k in ProgrammeTarget.Kind.values if k != ProgrammeTarget.Kind.NONE]


class ChartSettingForm(NhsukFormMixin, forms.ModelForm):
    reason = forms.CharField(
        label="Why are you changing the baseline?",
        required=False,
        max_length=200,
        help_text="Needed when the baseline's start or length changes; kept in the history. "
        "Never name a patient.",
    )

    class Meta:
        model = ChartSetting
        fields = ["chart_type", "period", "baseline_start", "baseline_weeks", "programme"]
        # ISO, or the saved baseline shows blank and the next save wipes it (mhsip.forms).
        widgets = {"baseline_start": IsoDateInput()}
        labels = {
            "chart_type": "Chart",
            "period": "Period of the points",
            "baseline_start": "Baseline starts (week commencing)",
            "baseline_weeks": "Baseline length in weeks",
            "programme": "Target",
        }
        help_texts = {
            "chart_type": "Automatic chooses from how many incidents the baseline expects: a "
            "weekly u chart from 2 a week; for rarer incidents with dates recorded, a g chart "
            "of the bed days between them; otherwise a run chart without control limits.",
            "period": "Automatic: weekly points (or one per incident on a g or t chart).",
        }

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        # One filter() call: the same target row has the measure and a numeric target.
        self.fields["programme"].queryset = Programme.objects.filter(
            targets__measure=measure, targets__kind__in=NUMERIC_TARGETS
        ).distinct()
        self.fields["programme"].empty_label = "The programme with the latest deadline"
        self.fields["period"].required = False  # blank: Automatic
        self.fields["baseline_weeks"].widget.attrs.update({"min": 2, "max": 104})
        self.fields["baseline_weeks"].help_text = (
            f"Blank: the default, {settings.MHSIP_DEFAULT_BASELINE_WEEKS} weeks "
            "(Making Data Count recommends 15-20 points)."
        )

    def clean_baseline_start(self):
        value = _monday(self.cleaned_data.get("baseline_start"))
        if value and value > timezone.localdate():
            raise forms.ValidationError("The baseline cannot start in the future.")
        return value

    def clean_baseline_weeks(self):
        value = self.cleaned_data.get("baseline_weeks")
        if value is not None and not 2 <= value <= 104:
            raise forms.ValidationError("Enter a baseline of 2 to 104 weeks (15-20 is usual).")
        return value

    def clean_period(self):
        return self.cleaned_data.get("period") or "auto"

    def clean_reason(self):
        return clean_free_text(self.cleaned_data["reason"])

    def clean(self):
        data = super().clean()
        saved = self.instance if self.instance.pk else None
        before = (saved.baseline_start, saved.baseline_weeks) if saved else (None, None)
        after = (data.get("baseline_start"), data.get("baseline_weeks"))
        if saved and before != after and not data.get("reason") and "reason" not in self.errors:
            self.add_error("reason", "Say why the baseline changes: it moves the centre line "
                           "and limits every later point is judged against")  # fmt: skip
        if data.get("chart_type") in ("g", "t") and data.get("period") not in ("auto", None):
            self.add_error("period", "A g or t chart has one point per incident: leave the "
                           "period on Automatic")  # fmt: skip
        return data


class PhaseBreakForm(NhsukFormMixin, forms.Form):
    starts_on = forms.DateField(
        label="New phase starts (week commencing)",
        widget=IsoDateInput(),
        help_text="Any date in the week; it is moved to that week's Monday.",
    )
    reason = forms.CharField(
        label="Why the process changed",
        max_length=200,
        help_text="For example: new seclusion policy from 4 September. Never name a patient.",
    )

    def clean_starts_on(self):
        value = _monday(self.cleaned_data["starts_on"])
        if value > timezone.localdate():
            raise forms.ValidationError("A new phase cannot start in the future.")
        return value

    def clean_period(self):
        return self.cleaned_data.get("period") or "auto"

    def clean_reason(self):
        value = clean_free_text(self.cleaned_data["reason"])
        if not value:
            raise forms.ValidationError("Say why the process changed.")
        return value
