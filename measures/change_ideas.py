"""Change ideas / PDSA cycles on a ward: recorded by ward staff and QI leads, drawn on charts."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mhsip.text import clean_free_text
from mhsip.weeks import date_range_error
from wards.models import Ward

from .models import ChangeIdea


class ChangeIdeaForm(forms.ModelForm):
    class Meta:
        model = ChangeIdea
        fields = ["title", "started_on", "driver_area", "stage", "notes"]
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"title": "Change idea", "started_on": "Started on"}
        help_texts = {
            "title": "For example: Safewards calm-down methods.",
            "notes": "About the change, never about a patient: no names or NHS numbers.",
        }

    def clean_title(self):
        return clean_free_text(self.cleaned_data["title"])

    def clean_driver_area(self):
        return clean_free_text(self.cleaned_data["driver_area"])

    def clean_notes(self):
        return clean_free_text(self.cleaned_data["notes"])

    def clean_started_on(self):
        value = self.cleaned_data["started_on"]
        if message := started_on_error(value):
            raise forms.ValidationError(message)
        return value


def started_on_error(value) -> str:
    """A change idea starts on a day in the programme's range, not in the future."""
    if message := date_range_error(value, label="Started on"):
        return message
    if value > timezone.localdate():
        return "A change idea cannot start in the future."
    return ""


@transaction.atomic
def change_idea_create(
    *, ward: Ward, user, title: str, started_on, driver_area="", stage="plan", notes=""
) -> ChangeIdea:
    idea = ChangeIdea(
        ward=ward,
        title=clean_free_text(title),
        started_on=started_on,
        driver_area=clean_free_text(driver_area),
        stage=stage,
        notes=clean_free_text(notes),
        created_by=user,
    )
    if message := started_on_error(started_on):
        raise ValidationError({"started_on": message})
    idea.full_clean()
    idea.save()
    return idea
