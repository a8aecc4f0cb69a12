from django.contrib import admin
from django.utils import timezone
from django.utils.timesince import timesince

from mhsip.admin import GuardedAdmin, GuardedInline, GuardedPlainAdmin

from .models import (
    ChangeIdea,
    Enrolment,
    Measure,
    Programme,
    ReturnImport,
    WeeklyCount,
    WeeklyReturn,
)


@admin.register(Measure)
class MeasureAdmin(GuardedAdmin):
    list_display = ["name", "code", "domain", "kind", "improvement", "parent", "is_active"]
    list_filter = ["domain", "kind", "is_active"]
    search_fields = ["name", "code"]


class EnrolmentInline(GuardedInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ["ward"]


@admin.register(Programme)
class ProgrammeAdmin(GuardedAdmin):
    list_display = ["name", "reduction_percent", "deadline"]
    filter_horizontal = ["measures"]
    inlines = [EnrolmentInline]


class WeeklyCountInline(GuardedInline):
    model = WeeklyCount
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
    inlines = [WeeklyCountInline]

    def has_delete_permission(self, request, obj=None):
        # Returns are deleted through the app (QI leads, with a reason, restorable: see
        # measures/deletion.py), never irreversibly here.
        return False


@admin.register(ChangeIdea)
class ChangeIdeaAdmin(GuardedAdmin):
    list_display = ["title", "ward", "started_on", "stage", "driver_area"]
    list_filter = ["stage", "ward__trust"]
    search_fields = ["title", "ward__name"]
    autocomplete_fields = ["ward"]


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
