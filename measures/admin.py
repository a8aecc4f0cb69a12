from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.timesince import timesince

from mhsip.admin import GuardedAdmin, GuardedInline, GuardedPlainAdmin, GuardedStackedInline

from . import rules, targets
from .models import (
    ChangeIdea,
    CompositePart,
    Enrolment,
    LocalMeasure,
    Measure,
    PdsaCycle,
    Programme,
    ProgrammeTarget,
    ReturnImport,
    WeeklyCount,
    WeeklyReturn,
    WeeklyValue,
)


class CompositePartFormSet(BaseInlineFormSet):
    def clean(self):
        """All the parts together (each form's CompositePart.clean sees only saved ones)."""
        super().clean()
        kept = [form.cleaned_data for form in self.forms if not form.cleaned_data.get("DELETE")]
        parts = [data["part"] for data in kept if data.get("part")]
        if errors := rules.composite_errors(self.instance, parts):
            raise ValidationError(list(errors.values()))


class CompositePartInline(GuardedInline):
    model = CompositePart
    formset = CompositePartFormSet
    fk_name = "composite"
    extra = 0
    autocomplete_fields = ["part"]


@admin.register(Measure)
class MeasureAdmin(GuardedAdmin):
    list_display = ["name", "code", "domain", "kind", "value_type", "improvement", "parent",
                    "is_active"]  # fmt: skip
    list_filter = ["domain", "kind", "value_type", "is_active"]
    search_fields = ["name", "code"]
    inlines = [CompositePartInline]


class EnrolmentInline(GuardedInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ["ward"]


class ProgrammeTargetForm(forms.ModelForm):
    """A target with its trajectory typed one step a line ("2024-01-01 3.5"); every rule is
    `measures.targets` (through the model's clean()), all reported in one round."""

    steps = forms.CharField(
        label="Trajectory steps", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One step a line: the date from which the value applies, then the value, "
        "e.g. 2024-01-01 3.5. In date order, each date once, none after the deadline.",
    )  # fmt: skip

    class Meta:
        model = ProgrammeTarget
        fields = ["measure", "direction", "kind", "percent", "value", "steps", "deadline",
                  "against_direction_confirmed"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["steps"] = targets.steps_text(self.instance.steps)

    def clean_steps(self):
        steps, errors = targets.parse_steps(self.cleaned_data.get("steps", ""))
        if errors:
            raise forms.ValidationError(errors)
        return [[day.isoformat(), value] for day, value in steps]


class ProgrammeTargetInline(GuardedStackedInline):
    model = ProgrammeTarget
    form = ProgrammeTargetForm
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(GuardedAdmin):
    list_display = ["name", "reduction_percent", "deadline"]
    filter_horizontal = ["measures"]
    inlines = [ProgrammeTargetInline, EnrolmentInline]


@admin.register(ProgrammeTarget)
class ProgrammeTargetAdmin(GuardedAdmin):
    """Targets are edited on their programme's page; this list is for their history."""

    form = ProgrammeTargetForm
    list_display = ["measure", "programme", "direction", "kind", "percent", "deadline"]
    list_filter = ["programme", "direction", "kind"]


@admin.register(LocalMeasure)
class LocalMeasureAdmin(GuardedAdmin):
    list_display = ["measure", "trust", "retired_on"]
    list_filter = ["trust"]
    filter_horizontal = ["wards"]


class WeeklyCountInline(GuardedInline):
    model = WeeklyCount
    extra = 0


class WeeklyValueInline(GuardedInline):
    model = WeeklyValue
    extra = 0


@admin.register(WeeklyReturn)
class WeeklyReturnAdmin(GuardedAdmin):
    list_display = ["ward", "week_start", "status", "occupied_bed_days", "beds", "updated_at"]
    list_filter = ["status", "ward__trust__region", "ward__trust"]
    search_fields = ["ward__name", "ward__trust__name"]
    date_hierarchy = "week_start"
    list_select_related = ["ward__trust"]
    readonly_fields = ["version", "created_at", "updated_at", "submitted_at"]
    autocomplete_fields = ["ward"]
    inlines = [WeeklyCountInline, WeeklyValueInline]

    def has_delete_permission(self, request, obj=None):
        # Returns are deleted through the app (QI leads, with a reason, restorable: see
        # measures/deletion.py), never irreversibly here.
        return False


class PdsaCycleInline(GuardedStackedInline):
    model = PdsaCycle
    extra = 0
    fields = ["number", "owner_role", "starts_on", "ends_on", "plan", "prediction", "do",
              "study", "act", "outcome"]  # fmt: skip


@admin.register(ChangeIdea)
class ChangeIdeaAdmin(GuardedAdmin):
    list_display = ["title", "ward", "started_on", "stage_label", "driver_area"]
    list_filter = ["ward__trust"]
    search_fields = ["title", "ward__name"]
    autocomplete_fields = ["ward"]
    filter_horizontal = ["measures"]
    inlines = [PdsaCycleInline]


@admin.register(ReturnImport)
class ReturnImportAdmin(GuardedPlainAdmin):
    """Uploads waiting for their commit: who, what, how old (purged after 24 hours). Their rows
    stay private to the uploader: the admin lists them, never shows them."""

    list_display = ["filename", "user", "size", "created_at", "age"]
    fields = ["filename", "user", "size", "created_at"]
    readonly_fields = fields
    list_select_related = ["user"]

    @admin.display(description="Age")
    def age(self, upload):
        return timesince(upload.created_at, timezone.now())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
