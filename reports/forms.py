import datetime

from django import forms

from .models import ReminderSchedule

MONTHS_OFFERED = 12


def months_offered(today: datetime.date) -> list[datetime.date]:
    """The last complete month first (the usual board pack), the 11 before it, then the month
    in progress: the months a pack can report (a month's pack shows the charts as stored now,
    up to their latest week)."""
    current = today.replace(day=1)
    months, month = [], current
    for _ in range(MONTHS_OFFERED):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        months.append(month)
    return [*months, current]


class PackForm(forms.Form):
    month = forms.ChoiceField(label="Month", error_messages={
        "required": "Choose the month the pack reports.",
        "invalid_choice": "Choose one of the months listed.",
    })  # fmt: skip

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        months = months_offered(today)
        self.fields["month"].choices = [
            (m.isoformat(), f"{m:%B %Y}" + (" (in progress)" if m == months[-1] else ""))
            for m in months
        ]  # fmt: skip

    def clean_month(self):
        return datetime.date.fromisoformat(self.cleaned_data["month"])


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = ReminderSchedule
        fields = ["reminders_on", "first_weekday", "first_hour", "second_after_days",
                  "digest_on", "digest_weekday", "digest_hour"]  # fmt: skip
        widgets = {
            "first_hour": forms.NumberInput(attrs={"min": 0, "max": 23}),
            "digest_hour": forms.NumberInput(attrs={"min": 0, "max": 23}),
            "second_after_days": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }
