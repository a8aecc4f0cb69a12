"""Keeping stored charts fresh after a data change: mark them stale in the change's own
transaction, and queue their refresh (spc/tasks.py) once it commits.

`charts_refresh_on_commit` is the chart layer's answer to `mhsip.freshness.charts_stale`
(settings.MHSIP_CHARTS_STALE_HANDLER): lower layers call that, never this module."""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from wards.models import Trust, Ward

from . import selectors
from .models import Scope, StoredChart
from .tasks import charts_refresh_stale_task, charts_refresh_task

logger = logging.getLogger(__name__)


def _scope_filter(ward_ids: Iterable[int]) -> Q:
    ward_ids = list(ward_ids)
    query = Q(scope=Scope.WARD, scope_id__in=ward_ids)
    for scope, scope_id in selectors.scopes_containing(ward_ids):
        query |= Q(scope=scope, scope_id=scope_id)
    return query


def charts_mark_stale(*, ward_ids: Iterable[int]) -> None:
    """Mark the charts of these wards and of every scope containing them as stale. Call it in
    the same transaction as the data change, so the mark and the data commit together."""
    # Lock the rows in one order (by id) before updating them: concurrent saves share the
    # trust, region and national rows, and two UPDATEs that lock them in whatever order the
    # plan visits them deadlock under load (bench/load.py: 76 deadlocks in 45 s at 200 users).
    pks = list(
        StoredChart.objects.filter(_scope_filter(ward_ids))
        .order_by("pk")
        .select_for_update()
        .values_list("pk", flat=True)
    )
    results = StoredChart.objects.filter(pk__in=pks)
    results.filter(dirty_version=F("computed_version")).update(stale_since=timezone.now())
    results.update(dirty_version=F("dirty_version") + 1)


def _old_scopes_mark_stale(*, ward_ids: set[int], moved_from_trust_id: int) -> bool:
    """A ward moved out of this trust: the trust's and its region's charts lose its data.
    True when there is anything to recompute."""
    moved = Ward.objects.filter(pk__in=ward_ids).exclude(trust_id=moved_from_trust_id)
    if not moved.exists():
        return False
    region = Trust.objects.filter(pk=moved_from_trust_id).values("region")
    old_scopes = Q(scope=Scope.TRUST, scope_id=moved_from_trust_id) | Q(
        scope=Scope.REGION, scope_id__in=region
    )
    StoredChart.objects.filter(old_scopes).update(dirty_version=F("dirty_version") + 1)
    return True


def charts_refresh_on_commit(*, ward_ids: Iterable[int], moved_from_trust_id=None) -> None:
    """These wards' data changed, or a ward was edited (moved to another trust, closed, beds
    changed): mark their charts, and those containing them now and before a move, stale in
    this transaction, and queue their refresh when it commits (a rollback drops both).

    Each call queues one refresh of all the wards it is given: an import of 5,000 rows calls
    it once and queues one task. The tasks are idempotent, so two calls in one transaction
    cost a second, mostly unchanged recompute, never a wrong chart."""
    ward_ids = set(ward_ids)
    if not ward_ids:
        return
    charts_mark_stale(ward_ids=ward_ids)
    # The data are saved and the charts marked stale: if the broker is down, the periodic
    # staleness check recomputes them once it is back. Saving must not fail for this.
    queued = sorted(ward_ids)
    transaction.on_commit(lambda: _enqueue_safely(charts_refresh_task, queued))
    if moved_from_trust_id and _old_scopes_mark_stale(
        ward_ids=ward_ids, moved_from_trust_id=moved_from_trust_id
    ):
        transaction.on_commit(lambda: _enqueue_safely(charts_refresh_stale_task))


def _enqueue_safely(task, *args) -> None:
    try:
        task.delay(*args)
    except Exception:
        logger.exception(
            "Could not queue a chart refresh (%s %s); the staleness check will recover it",
            task.name,
            args,
        )
