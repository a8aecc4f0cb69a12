"""Thin Celery tasks of the returns layer."""

import logging

from celery import shared_task

from .deletion import deleted_returns_purge
from .services import return_imports_purge

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def return_imports_purge_task() -> int:
    """Beat, hourly: uploads never outlive their purpose (24 hours at most)."""
    deleted = return_imports_purge()
    if deleted:
        logger.info("Purged %d uploads older than 24 hours", deleted)
    return deleted


@shared_task(acks_late=True)
def deleted_returns_purge_task() -> int:
    """Beat, daily: a deleted return is restorable for 90 days, then forgotten (its history
    stays)."""
    purged = deleted_returns_purge()
    if purged:
        logger.info("Purged %d returns deleted more than 90 days ago", purged)
    return purged
