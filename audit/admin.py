"""Users in the admin are deactivated, never deleted (history names them; see audit.erasure),
and their forms go through the identifier guard like every other admin form."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from mhsip.admin import FreeTextAdminMixin, GuardedPlainAdmin

from .erasure import user_deactivate, user_reactivate
from .models import AuditEvent

User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(FreeTextAdminMixin, GroupAdmin):
    pass


@admin.register(User)
class PersonAdmin(FreeTextAdminMixin, UserAdmin):
    actions = ["deactivate", "reactivate"]
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]

    def has_delete_permission(self, request, obj=None):
        # The delete button and "delete selected" go: deleting a user would orphan history.
        return False

    def save_model(self, request, obj, form, change):
        # Unticking "active" is a deactivation like the action, recorded and sessions ended.
        was_active = change and User.objects.filter(pk=obj.pk, is_active=True).exists()
        turning_off = was_active and not obj.is_active
        if turning_off:
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if turning_off:
            user_deactivate(user=obj, by=request.user)

    @admin.action(description="Deactivate the selected users (they keep their history)")
    def deactivate(self, request, queryset):
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, "You cannot deactivate yourself.", messages.ERROR)
            return
        done = sum(user_deactivate(user=user, by=request.user) for user in queryset)
        self.message_user(request, f"{done} user(s) deactivated: they can no longer sign in.")

    @admin.action(description="Reactivate the selected users")
    def reactivate(self, request, queryset):
        done = sum(user_reactivate(user=user, by=request.user) for user in queryset)
        self.message_user(request, f"{done} user(s) reactivated.")


@admin.register(AuditEvent)
class AuditEventAdmin(GuardedPlainAdmin):
    """Read-only: events are made by the actions they record."""

    list_display = ["created_at", "action", "actor", "subject", "detail"]
    list_filter = ["action"]
    readonly_fields = ["action", "actor", "subject", "detail", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
