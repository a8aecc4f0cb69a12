from django.contrib import admin

from mhsip.admin import GuardedAdmin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(GuardedAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "read_only",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["read_only", "revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    # The key is never stored; an admin can revoke a token but not read or forge one.
    readonly_fields = ["user", "prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
