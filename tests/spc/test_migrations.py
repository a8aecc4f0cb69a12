"""Schema changes of stored charts keep the charts."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from measures.catalogue import sync_catalogue
from measures.models import Measure, Programme
from spc.models import StoredChart
from spc.stored import STORE_VERSION

BEFORE = [("spc", "0001_initial")]


def migrate(targets=None):
    """Migrate to `targets` (default: the latest of every app) and return the models then."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_stored_chart_when_chart_result_becomes_stored_chart():
    sync_catalogue(Measure, Programme)  # transactional tests flush the migrated catalogue
    measure = Measure.objects.first()
    try:
        old = migrate(BEFORE).get_model("spc", "ChartResult")
        row = old.objects.create(
            scope="ward", scope_id=7, measure_id=measure.pk, payload={"status": "ok"},
            input_hash="abc", dirty_version=3, computed_version=2,
        )  # fmt: skip
    finally:
        migrate()
    kept = StoredChart.objects.get(pk=row.pk)
    assert (kept.scope_id, kept.input_hash, kept.dirty_version) == (7, "abc", 3)
    assert kept.is_stale
    # Its old payload is not read in the new shape: the chart is recomputed, never misread.
    assert kept.store_version != STORE_VERSION and not kept.views.exists()
