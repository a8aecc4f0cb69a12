"""Making, using and revoking API tokens."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mhsip.text import clean_free_text

from .models import KEY_PREFIX, ApiToken, key_digest

# last_used_at is written at most this often per token, so a busy integration does not turn
# every read into a database write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


@transaction.atomic
def api_token_create(*, user, name: str, read_only: bool = False) -> tuple[ApiToken, str]:
    """Make a token; returns it and the key, which is not stored and cannot be shown again."""
    name = clean_free_text(name)
    if not name:
        raise ValidationError({"name": "Name the token, e.g. after the system that uses it."})
    if ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        raise ValidationError({"name": "You already have a token with this name."})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=key[: len(KEY_PREFIX) + 6],
        key_hash=key_digest(key),
        read_only=read_only,
    )
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_token_for_key(key: str) -> ApiToken | None:
    """The active token with this key (of an active user), noting its use; None if none."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=key_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
