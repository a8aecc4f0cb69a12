"""Thin tasks: ids in, one call, queued sends. Emails retry with backoff on SMTP errors;
the last failure is logged on the message, never raised into the worker."""

import datetime
import logging

from celery import shared_task
from django.db import DatabaseError, InterfaceError

from . import digests, generation, mail, notices, reminders
from .models import BoardPack

logger = logging.getLogger(__name__)

TRANSIENT = (DatabaseError, InterfaceError)
DB_RETRY = {"autoretry_for": TRANSIENT, "retry_backoff": 2, "retry_backoff_max": 120,
            "retry_jitter": True, "max_retries": 6, "acks_late": True}  # fmt: skip
SEND_RETRIES = 5
SEND_BACKOFF = 30  # seconds, doubled each try: 30 s, 1, 2, 4, 8 min (about a quarter hour)


def _send_all(message_ids: list[int]) -> int:
    for message_id in message_ids:
        message_send_task.delay(message_id)
    return len(message_ids)


@shared_task(bind=True, max_retries=SEND_RETRIES, acks_late=True)
def message_send_task(self, message_id: int) -> None:
    last_try = self.request.retries >= self.max_retries
    if mail.message_send(message_id=message_id, last_try=last_try):
        raise self.retry(countdown=SEND_BACKOFF * 2**self.request.retries)


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
    return purged


def _time(value):
    return datetime.datetime.fromisoformat(value) if value else None
