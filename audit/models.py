from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class AuditEvent(models.Model):
    """An action on the system that no other history records: a user deactivated or erased,
    text purged from rows and their history. It says who did it, when, and what it touched
    (model, field, how many rows), never the purged text itself. Shown in the audit log to
    admins; nothing in the app changes or deletes one."""

    class Action(models.TextChoices):
        DEACTIVATE = "deactivate", "User deactivated"
        REACTIVATE = "reactivate", "User reactivated"
        ERASE = "erase", "User erased"
        PURGE_TEXT = "purge_text", "Text purged"

    action = models.CharField(max_length=20, choices=Action.choices)
    # The person who ran it: a signed-in admin, or the operator a command names (--by).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The user deactivated or erased.",
    )
    detail = models.TextField(help_text="What was touched: models, fields, row counts.")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%d %b %Y %H:%M})"
