"""The weekly, 4-weekly and monthly views of stored charts, made the first time someone asks
for one and stored from then on (until the chart's data change).

Why not with the chart itself: every chart's chosen view is computed whenever its data
change (spc.store_batch), which is what the matrix, region pages, icons and digests read. The
other three views are looked at far less often, and computing all four for the 16,000 charts
of the national data set would quadruple the recompute. A period view made here carries the
chart's input hash (spc.stored.period_view_payload), so one made from older data is never
shown: it is made again.
"""

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone

from measures.models import Measure
from wards.models import Ward

from . import inputs, selectors
from .engine import compute_auto_batch
from .models import Scope, StoredChart, StoredView
from .specs import has_bed_days, start_at, value_labels, view_specs
from .stored import (
    StoredCharts,
    encode_view,
    period_view_payload,
    read_charts,
    unavailable_payload,
    view_payload,
)


def _series_and_configs(charts: list[StoredChart], today):
    """(chart, series, config) of each chart, read in one batch per kind of scope."""
    programmes = selectors.programmes_with_measures()
    measures = {m.pk: m for m in Measure.objects.filter(pk__in={c.measure_id for c in charts})}
    ward_charts = [c for c in charts if c.scope == Scope.WARD]
    out = []
    if ward_charts:
        wards = list(Ward.objects.filter(pk__in={c.scope_id for c in ward_charts}))
        ids = sorted({c.measure_id for c in ward_charts})
        series = inputs.ward_series(wards, ids, today)
        configs = selectors.ward_configs([w.pk for w in wards], list(measures.values()),
                                         programmes)  # fmt: skip
        out += [(c, series[c.scope_id, c.measure_id], configs[c.scope_id, c.measure_id])
                for c in ward_charts]  # fmt: skip
    local_targets = selectors.local_target_lines(measures)
    by_scope = defaultdict(list)
    for c in charts:
        if c.scope != Scope.WARD:
            by_scope[c.scope, c.scope_id].append(c)
    for (scope, scope_id), group in by_scope.items():
        series = inputs.aggregate_series(scope, scope_id, [c.measure_id for c in group], today)
        out += [(c, series[c.measure_id],
                 selectors.aggregate_config(measures[c.measure_id], programmes, local_targets))
                for c in group]  # fmt: skip
    return out


def views_compute(charts: list[StoredChart], view: str, today=None) -> None:
    """Make and store view `view` ("week", "4week" or "month") of these charts."""
    today = today or timezone.localdate()
    jobs = []
    for chart, series, config in _series_and_configs(charts, today):
        series = start_at(series, config.baseline_start)
        if series.weeks:
            jobs.append((chart, series, config, view_specs(series, config)[view]))
    results = compute_auto_batch([spec for *_, spec in jobs], on_error="return",
                                 as_dict=False) if jobs else []  # fmt: skip
    rows = []
    for (chart, series, config, _), result in zip(jobs, results, strict=True):
        if isinstance(result, dict):
            payload = unavailable_payload(result["error"]["message"], chart.input_hash)
        else:
            breaks = [{"date": d.isoformat(), "reason": r} for d, r in config.breaks]
            payload = period_view_payload(
                view_payload(result, series, config.targets, breaks, rates=has_bed_days(series),
                             labels=value_labels(config)), chart.input_hash)  # fmt: skip
        rows.append(StoredView(chart=chart, view=view, payload=encode_view(payload)))
    try:
        with transaction.atomic():
            StoredView.objects.filter(chart__in=[r.chart for r in rows], view=view).delete()
            StoredView.objects.bulk_create(rows, ignore_conflicts=True)
    except IntegrityError:
        pass  # another request stored the same views at the same moment: theirs will do


def charts_with_view(filters: dict, view: str = "chosen", today=None) -> StoredCharts:
    """`spc.stored.read_charts`, making first the asked-for period views that are not
    stored for the charts' current data (`today`: the charts' last week, as they were
    computed)."""
    stored = read_charts(filters, view)
    if stored.missing:
        views_compute([stored.chart[key] for key in stored.missing], view, today)
        stored = read_charts(filters, view)
    return stored
