"""Every email: made once (a unique key), checked against the user's unsubscribes and
address, sent through Django's email framework, and logged with what happened.

`message_create` writes the SentMessage (skipped at once, with the reason, for a user who
unsubscribed from the kind or has no address); `message_send` sends a queued one and says
whether to retry: an SMTP server that refuses or times out is retried with backoff by the
task, and after the last try the message is marked failed, never raised into the worker."""

import datetime
import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from .models import Kind, SentMessage, Unsubscribe

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "reports.unsubscribe"
NO_ADDRESS = "No email address on this user's account: ask an admin to add one."
UNSUBSCRIBED = "The user unsubscribed from these emails."
# What a refusing, unreachable or silent SMTP server raises (socket timeouts are OSError).
SEND_ERRORS = (smtplib.SMTPException, OSError)


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_token(user_id: int, kind: str) -> str:
    """A signed token naming a user and a kind of email: the link works without signing in
    (mail clients' one-click unsubscribe cannot sign in) and cannot be forged."""
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in Kind.values:
        return None
    return data.get("u"), data["k"]


def unsubscribe_url(user_id: int, kind: str) -> str:
    return site_url(reverse("reports:unsubscribe", args=[unsubscribe_token(user_id, kind)]))


def unsubscribe(*, user_id: int, kind: str) -> None:
    """Record the opt-out (a token of a user since deleted has no one to opt out)."""
    if get_user_model().objects.filter(pk=user_id).exists():
        Unsubscribe.objects.get_or_create(user_id=user_id, kind=kind)


def is_unsubscribed(user, kind: str) -> bool:
    return Unsubscribe.objects.filter(user=user, kind=kind).exists()


def _footer(user_id: int, kind: str) -> str:
    label = Kind(kind).label.lower()
    return (
        "\n\n--\nMHSIP measurement. Aggregate counts only: never reply with patient details."
        f"\nStop {label}: {unsubscribe_url(user_id, kind)}\n"
    )


def message_create(*, kind: str, key: str, user, subject: str, body: str, cc=(), trust=None,
                   region=None, pack=None, signals=None) -> SentMessage | None:  # fmt: skip
    """The message to send, or None when one with this key already exists (sent once only).
    A user who unsubscribed from `kind`, or has no address, gets a skipped message saying so."""
    status, error = SentMessage.Status.QUEUED, ""
    if is_unsubscribed(user, kind):
        status, error = SentMessage.Status.SKIPPED, UNSUBSCRIBED
    elif not (user.email or "").strip():
        status, error = SentMessage.Status.SKIPPED, NO_ADDRESS
    cc = sorted({a for a in cc if a and a != user.email})
    try:
        with transaction.atomic():
            return SentMessage.objects.create(
                kind=kind, key=key[:200], user=user, to_address=(user.email or "").strip(),
                cc=cc, subject=subject[:200], body=body + _footer(user.pk, kind), trust=trust,
                region=region, pack=pack, signals=signals or {}, status=status, error=error,
            )  # fmt: skip
    except IntegrityError:
        return None  # another beat run (or a retried task) made it first


def message_send(*, message_id: int, max_attempts: int) -> int | None:
    """Send a queued message. None when it is done with (sent, skipped, or failed for the
    last time); the attempts so far when it failed and should be tried again."""
    message = SentMessage.objects.select_related("user").filter(pk=message_id).first()
    if message is None or message.status not in (
        SentMessage.Status.QUEUED,
        SentMessage.Status.RETRYING,
    ):
        return None
    if message.user is not None and is_unsubscribed(message.user, message.kind):
        message.status, message.error = SentMessage.Status.SKIPPED, UNSUBSCRIBED
        message.save(update_fields=["status", "error"])
        return None
    unsubscribe_link = unsubscribe_url(message.user_id, message.kind) if message.user_id else ""
    email = EmailMessage(
        subject=message.subject, body=message.body, to=[message.to_address], cc=message.cc,
        headers={"List-Unsubscribe": f"<{unsubscribe_link}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"} if unsubscribe_link else {},
    )  # fmt: skip
    message.attempts += 1
    message.tried_at = timezone.now()
    last_try = message.attempts >= max_attempts
    try:
        email.send()
    except SEND_ERRORS as error:
        message.status = SentMessage.Status.FAILED if last_try else SentMessage.Status.RETRYING
        message.error = f"{type(error).__name__}: {error}"[:1000] + (
            "" if last_try else " (will retry)"
        )
        message.save(update_fields=["status", "error", "attempts", "tried_at"])
        logger.warning("Email %s not sent (try %d): %s", message.pk, message.attempts, error)
        return None if last_try else message.attempts
    message.status, message.error, message.sent_at = SentMessage.Status.SENT, "", timezone.now()
    message.save(update_fields=["status", "error", "attempts", "tried_at", "sent_at"])
    return None


def messages_to_retry(*, older_than: datetime.timedelta) -> list[int]:
    """Messages still to retry whose last try is older than `older_than`: those whose task
    retry was lost (a worker restart) or that were tried in-process (no worker: eager)."""
    return list(
        SentMessage.objects.filter(
            status=SentMessage.Status.RETRYING, tried_at__lt=timezone.now() - older_than
        ).values_list("pk", flat=True)
    )
