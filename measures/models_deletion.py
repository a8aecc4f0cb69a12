"""A deleted weekly return, kept to be restored (imported by measures/models.py, where Django
finds it)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from wards.models import Ward


class DeletedReturn(models.Model):
    """A deleted weekly return, restorable for 90 days (then purged; its history stays).

    Deleting moves the return out of the live tables: the return, its counts and their days
    are deleted (each with a history row naming who and why) and kept here as a snapshot, so
    no chart, completeness page, export or API list can count them by mistake. Restoring puts
    them back with their old ids, so their history carries on where it stopped."""

    return_id = models.PositiveBigIntegerField(unique=True, help_text="The return's id.")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField()
    # The return's fields, and its counts with their days: {"return": {...}, "counts": [...]}.
    snapshot = models.JSONField()
    deleted_at = models.DateTimeField()
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delete_reason = models.CharField(max_length=100)

    class Meta:
        ordering = ["-deleted_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(delete_reason=""),
                name="deleted_return_has_reason",
                violation_error_message="Say why the return is deleted.",
            ),
        ]

    def __str__(self):
        return f"{self.ward.name}, w/c {self.week_start:%d %b %Y} (deleted)"
