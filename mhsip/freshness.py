"""The one deliberate upward call: a data change in a lower layer (a saved or imported return,
a ward moved to another trust) tells the chart layer which charts are now stale.

Lower layers never import `spc`. They call `charts_stale(...)` in the transaction of their
change; it calls the function named by `settings.MHSIP_CHARTS_STALE_HANDLER` (the chart
layer's `spc.refresh.charts_refresh_on_commit`), which marks the charts stale in that same
transaction and queues their refresh once it commits. Naming the handler in settings keeps
the import graph pointing down (import-linter's layers contract in pyproject.toml)."""

from collections.abc import Iterable

from django.conf import settings
from django.utils.module_loading import import_string


def charts_stale(*, ward_ids: Iterable[int], moved_from_trust_id: int | None = None) -> None:
    """These wards' data changed (and, for a ward moved between trusts, the trust it left):
    their charts and every chart containing them are stale."""
    handler = import_string(settings.MHSIP_CHARTS_STALE_HANDLER)
    handler(ward_ids=set(ward_ids), moved_from_trust_id=moved_from_trust_id)
