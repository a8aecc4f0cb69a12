"""A file of weekly returns between its preview and its commit (measures/importing.py)."""

from django.conf import settings
from django.db import models


class ReturnImport(models.Model):
    """An uploaded file of weekly returns between its preview and its commit.

    The file itself is never kept: it is read once, at upload, and only its typed rows are
    stored (a file refused as a whole stores nothing). Only the user who uploaded it can see
    it; its rows are re-checked at commit, so nothing the browser sends back is trusted.
    Deleted once committed or cancelled, and by the hourly purge 24 hours after upload."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0, help_text="Bytes of the file as uploaded.")
    parsed = models.JSONField(default=dict, help_text="The file's typed rows (ParsedFile).")
    snap_to_monday = models.BooleanField(
        default=False, help_text="Move dates that are not Mondays to the Monday of their week."
    )
    # "ward id:week" -> the version each ward-week had when the preview was shown (0: none):
    # the commit refuses rows that changed since, as the return form does.
    preview_versions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.user}, {self.created_at:%d %b %Y %H:%M})"
