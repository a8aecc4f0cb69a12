from django.contrib import admin

from mhsip.admin import GuardedAdmin, GuardedPlainAdmin

from .models import BoardPack, ReminderSchedule, SentMessage, Unsubscribe


@admin.register(BoardPack)
class BoardPackAdmin(GuardedPlainAdmin):
    list_display = ["__str__", "requested_by", "status", "progress", "created_at", "expires_at"]
    list_filter = ["status"]
    # The files are the requester's: the admin shows that they exist, not their bytes.
    exclude = ["pptx", "pdf"]
    readonly_fields = ["trust", "region", "month", "requested_by", "status", "progress", "step",
                       "message", "pages", "signals", "finished_at", "expires_at"]  # fmt: skip


@admin.register(ReminderSchedule)
class ReminderScheduleAdmin(GuardedAdmin):
    list_display = ["trust", "reminders_on", "first_weekday", "first_hour", "digest_on",
                    "digest_weekday", "digest_hour", "updated_by"]  # fmt: skip


@admin.register(SentMessage)
class SentMessageAdmin(GuardedPlainAdmin):
    list_display = ["created_at", "kind", "to_address", "trust", "status", "attempts"]
    list_filter = ["kind", "status"]
    search_fields = ["to_address", "subject"]


@admin.register(Unsubscribe)
class UnsubscribeAdmin(GuardedPlainAdmin):
    list_display = ["user", "kind", "created_at"]
