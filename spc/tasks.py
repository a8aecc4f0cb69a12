"""Thin, idempotent Celery tasks: ids in, one recompute call, the stored result overwritten."""

import logging

from celery import group, shared_task
from django.db import DatabaseError, InterfaceError

from wards.models import Ward

from . import recompute, selectors

logger = logging.getLogger(__name__)

# A lost database connection (a PostgreSQL restart) is transient: retry with backoff.
TRANSIENT = (DatabaseError, InterfaceError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 6,
    "acks_late": True,
}


@shared_task(**RETRY)
def charts_refresh_task(ward_ids: list[int]) -> str:
    """After a data change: these wards' charts now, then (a task of its own, so the ward
    is fresh without waiting for the national sums) the trust, region and national ones."""
    summary = recompute.ward_charts_recompute(ward_ids=ward_ids)
    logger.info("Refreshed charts of %d wards: %s", len(ward_ids), summary)
    aggregate_charts_refresh_task.delay(selectors.scopes_containing(ward_ids))
    return str(summary)


@shared_task(**RETRY)
def aggregate_charts_refresh_task(scopes: list[tuple[str, int]]) -> str:
    summary = recompute.aggregate_charts_recompute(
        scopes=[tuple(s) for s in scopes], only_stale=True
    )
    logger.info("Refreshed %d aggregate scopes: %s", len(scopes), summary)
    return str(summary)


@shared_task(**RETRY)
def charts_refresh_stale_task() -> str:
    """Beat, every few minutes: recompute anything stale (recovers lost enqueues)."""
    summary = recompute.charts_recompute_stale()
    if summary.computed or summary.failed:
        logger.info("Staleness check: %s", summary)
    return str(summary)


@shared_task(**RETRY)
def ward_charts_recompute_task(ward_ids: list[int], force: bool = False) -> str:
    return str(recompute.ward_charts_recompute(ward_ids=ward_ids, force=force))


@shared_task(**RETRY)
def aggregate_charts_recompute_task(scopes=None, force: bool = False) -> str:
    scopes = [tuple(s) for s in scopes] if scopes else selectors.all_aggregate_scopes()
    return str(recompute.aggregate_charts_recompute(scopes=scopes, force=force))


# Tasks of a full recompute stay short (a chunk of wards, a few aggregate scopes) so a save's
# ward refresh, taken first by the next free worker, never waits long behind one.
WARD_CHUNK = 10
SCOPE_CHUNK = 8


@shared_task(**RETRY)
def charts_recompute_all_task(force: bool = False, chunk: int = WARD_CHUNK) -> None:
    """Beat, nightly (and the bench): every ward chart in chunks, and every trust, region and
    national chart, in parallel across workers. The aggregates sum the wards' counts, not
    their charts, so they need not wait for the wards; the national chart goes first, being
    the longest."""
    ward_ids = list(Ward.objects.order_by("trust_id", "pk").values_list("pk", flat=True))
    scopes = selectors.all_aggregate_scopes()
    scopes = [scopes[-1], *scopes[:-1]]  # (national, 0) is last in the list: run it first
    tasks = [aggregate_charts_recompute_task.si(scopes[i : i + SCOPE_CHUNK], force)
             for i in range(0, len(scopes), SCOPE_CHUNK)]  # fmt: skip
    tasks += [ward_charts_recompute_task.si(ward_ids[i : i + chunk], force)
              for i in range(0, len(ward_ids), chunk)]  # fmt: skip
    group(tasks).apply_async()
