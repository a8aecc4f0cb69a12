from django.contrib import admin

from mhsip.admin import GuardedAdmin, GuardedInline, GuardedPlainAdmin

from .models import ChartSetting, PhaseBreak, StoredChart


class PhaseBreakInline(GuardedInline):
    model = PhaseBreak
    extra = 0


@admin.register(ChartSetting)
class ChartSettingAdmin(GuardedAdmin):
    list_display = ["ward", "measure", "chart_type", "baseline_start", "baseline_weeks"]
    list_filter = ["chart_type", "ward__trust"]
    inlines = [PhaseBreakInline]


class FailedFilter(admin.SimpleListFilter):
    title = "last recompute"
    parameter_name = "failed"

    def lookups(self, request, model_admin):
        return [("yes", "Failed"), ("no", "Succeeded")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(error="")
        if self.value() == "no":
            return queryset.filter(error="")
        return queryset


@admin.register(StoredChart)
class StoredChartAdmin(GuardedPlainAdmin):
    """Read-only: results come from the engine. Failed recomputes show their error here."""

    list_display = ["scope", "scope_id", "measure", "computed_at", "is_stale", "error"]
    list_filter = ["scope", FailedFilter, "measure"]
    readonly_fields = [f.name for f in StoredChart._meta.fields]

    @admin.display(boolean=True, description="stale")
    def is_stale(self, obj):
        return obj.is_stale

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
