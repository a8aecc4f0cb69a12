import datetime

from django import forms
from django.conf import settings
from django.utils import timezone

from measures.models import Programme
from mhsip.text import clean_free_text
from mhsip.weeks import monday_of

from .models import ChartSetting


def _monday(value: datetime.date | None) -> datetime.date | None:
    # A date anywhere in the week means that week: snap to its Monday.
    return None if value is None else monday_of(value)


class ChartSettingForm(forms.ModelForm):
    class Meta:
        model = ChartSetting
        fields = ["chart_type", "baseline_start", "baseline_weeks", "programme"]
        widgets = {"baseline_start": forms.DateInput(attrs={"type": "date"})}
        labels = {
            "chart_type": "Chart type",
            "baseline_start": "Baseline starts (week commencing)",
            "baseline_weeks": "Baseline length in weeks",
            "programme": "Target",
        }

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(
            measures=measure, reduction_percent__isnull=False
        )
        self.fields["programme"].empty_label = "The programme with the latest deadline"
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


class PhaseBreakForm(forms.Form):
    starts_on = forms.DateField(
        label="New phase starts (week commencing)",
        widget=forms.DateInput(attrs={"type": "date"}),
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

    def clean_reason(self):
        value = clean_free_text(self.cleaned_data["reason"])
        if not value:
            raise forms.ValidationError("Say why the process changed.")
        return value
