"""Per-user API tokens for trusts' own systems and analysts' tools.

Only a SHA-256 digest of the key is stored: the key itself is shown once, when it is made.
A token acts as its user, with that user's memberships and no more; a read-only token
cannot write even where the user could."""

import hashlib

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

# The visible start of every key, so a leaked key is recognisable (e.g. by secret scanners).
KEY_PREFIX = "mhsip_"


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80, help_text="What uses it, e.g. 'Datix nightly push'.")
    # The first characters of the key, shown in lists so the user can tell tokens apart.
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(
        default=False, help_text="Read-only tokens can read data but never change it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # last_used_at changes on use and is written with update(), so it adds no history rows.
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_token_name_unique_per_user",
                violation_error_message="You already have a token with this name.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…, {self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
