from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.timesince import timesince
from simple_history.admin import SimpleHistoryAdmin

from . import rules
from .models import (
    ChangeIdea,
    CompositePart,
    Enrolment,
    Measure,
    Programme,
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


class CompositePartInline(admin.TabularInline):
    model = CompositePart
    formset = CompositePartFormSet
    fk_name = "composite"
    extra = 0
    autocomplete_fields = ["part"]


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "domain", "kind", "value_type", "improvement", "parent",
                    "is_active"]  # fmt: skip
    list_filter = ["domain", "kind", "value_type", "is_active"]
    search_fields = ["name", "code"]
    inlines = [CompositePartInline]


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ["ward"]


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "reduction_percent", "deadline"]
    filter_horizontal = ["measures"]
    inlines = [EnrolmentInline]


class WeeklyCountInline(admin.TabularInline):
    model = WeeklyCount
    extra = 0


class WeeklyValueInline(admin.TabularInline):
    model = WeeklyValue
    extra = 0


@admin.register(WeeklyReturn)
class WeeklyReturnAdmin(SimpleHistoryAdmin):
    list_display = ["ward", "week_start", "status", "occupied_bed_days", "beds", "updated_at"]
    list_filter = ["status", "ward__trust__region", "ward__trust"]
    search_fields = ["ward__name", "ward__trust__name"]
    date_hierarchy = "week_start"
    list_select_related = ["ward__trust"]
    readonly_fields = ["version", "created_at", "updated_at", "submitted_at"]
    autocomplete_fields = ["ward"]
    inlines = [WeeklyCountInline, WeeklyValueInline]


@admin.register(ChangeIdea)
class ChangeIdeaAdmin(SimpleHistoryAdmin):
    list_display = ["title", "ward", "started_on", "stage", "driver_area"]
    list_filter = ["stage", "ward__trust"]
    search_fields = ["title", "ward__name"]
    autocomplete_fields = ["ward"]


@admin.register(ReturnImport)
class ReturnImportAdmin(admin.ModelAdmin):
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
