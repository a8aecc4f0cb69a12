from django.contrib import admin

from mhsip.admin import GuardedAdmin
from mhsip.freshness import charts_stale

from .models import Membership, Region, Trust, Ward


@admin.register(Region)
class RegionAdmin(GuardedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Trust)
class TrustAdmin(GuardedAdmin):
    list_display = ["name", "ods_code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "ods_code"]


@admin.register(Ward)
class WardAdmin(GuardedAdmin):
    list_display = ["name", "trust", "ward_type", "beds", "active_from", "active_to"]
    list_filter = ["ward_type", "trust__region", "trust"]
    search_fields = ["name", "code", "trust__name", "trust__ods_code"]
    list_select_related = ["trust"]

    def save_model(self, request, obj, form, change):
        old_trust_id = form.initial.get("trust") if change else None
        super().save_model(request, obj, form, change)
        charts_stale(ward_ids=[obj.pk], moved_from_trust_id=old_trust_id)


@admin.register(Membership)
class MembershipAdmin(GuardedAdmin):
    list_display = ["user", "role", "ward", "trust", "region", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "ward__name", "trust__name", "region__name"]
    list_select_related = ["user", "ward__trust", "trust", "region"]
    autocomplete_fields = ["ward", "trust", "region"]
