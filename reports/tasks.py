"""Thin tasks: ids in, one call, queued sends. Emails retry with backoff on SMTP errors;
the last failure is logged on the message, never raised into the worker."""

import datetime
import logging

from celery import shared_task
from django.db import DatabaseError, InterfaceError
from django.utils import timezone

from . import digests, generation, mail, notices, reminders
from .models import BoardPack

logger = logging.getLogger(__name__)

TRANSIENT = (DatabaseError, InterfaceError)
DB_RETRY = {"autoretry_for": TRANSIENT, "retry_backoff": 2, "retry_backoff_max": 120,
            "retry_jitter": True, "max_retries": 6, "acks_late": True}  # fmt: skip
SEND_RETRIES = 5
SEND_ATTEMPTS = SEND_RETRIES + 1
SEND_BACKOFF = 30  # seconds, doubled each try: 30 s, 1, 2, 4, 8 min (about a quarter hour)
PACK_LOST_AFTER = datetime.timedelta(minutes=15)
# The sweep leaves alone what a worker's own retries will still try.
SWEEP_AFTER = datetime.timedelta(seconds=SEND_BACKOFF * 2**SEND_RETRIES)


def _send_all(message_ids: list[int]) -> int:
    for message_id in message_ids:
        message_send_task.delay(message_id)
    return len(message_ids)


@shared_task(bind=True, max_retries=SEND_RETRIES, acks_late=True)
def message_send_task(self, message_id: int) -> None:
    attempts = mail.message_send(message_id=message_id, max_attempts=SEND_ATTEMPTS)
    if attempts is None:
        return
    if self.request.is_eager:
        return  # no worker to wait in: the hourly sweep (or the next send_* command) retries it
    raise self.retry(countdown=SEND_BACKOFF * 2 ** (attempts - 1), max_retries=SEND_ATTEMPTS)


@shared_task(**DB_RETRY)
def messages_retry_task() -> int:
    """Beat, hourly: emails whose retry was lost or that were tried without a worker."""
    return _send_all(mail.messages_to_retry(older_than=SWEEP_AFTER))


@shared_task(**DB_RETRY)
def board_pack_generate_task(pack_id: int) -> str:
    pack = generation.board_pack_generate(pack_id=pack_id)
    if pack is not None and pack.status == BoardPack.Status.READY:
        message = notices.pack_ready_message(pack=pack)
        if message is not None and message.status == message.Status.QUEUED:
            _send_all([message.pk])
    return pack.status if pack else "missing"


@shared_task(**DB_RETRY)
def reminders_send_task(now: str | None = None, force: int | None = None) -> int:
    """Beat, hourly: the reminders due this hour (`now`: an ISO time, for tests)."""
    return _send_all(reminders.reminders_prepare(now=_time(now), force=force))


@shared_task(**DB_RETRY)
def digests_send_task(now: str | None = None, force: bool = False) -> int:
    """Beat, hourly: the digests due this hour."""
    return _send_all(digests.digests_prepare(now=_time(now), force=force))


@shared_task(**DB_RETRY)
def board_packs_purge_task() -> int:
    purged = generation.board_packs_purge()
    if purged:
        logger.info("Purged the files of %d board packs", purged)
    for pack_id in generation.packs_waiting(older_than=PACK_LOST_AFTER):
        board_pack_generate_task.delay(pack_id)
    return purged


def _time(value):
    """An ISO date and time; one without an offset is UK time (as the schedules are)."""
    if not value:
        return None
    moment = datetime.datetime.fromisoformat(value)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
