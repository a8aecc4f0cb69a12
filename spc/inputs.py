"""Chart inputs from the database: every weekly series of a batch of wards (or of a trust,
region or the nation) as arrays, with the incidents' dates where they are complete.

A week counts on a chart only from a *submitted* return (a draft is not final); a measure's
point is missing when that return has no count for it, never zero. Incident dates are
optional: a series carries them (for t / g charts and exact months) only when every week
with incidents has all of its incidents dated; otherwise `events` is None and
`undated_weeks` says how many weeks lack them.
"""

import datetime
from collections import defaultdict

import numpy as np
from django.conf import settings
from django.db.models import Count, F, Min, Sum

from measures.models import (
    Enrolment,
    IncidentDate,
    LocalMeasure,
    Programme,
    WeeklyCount,
    WeeklyReturn,
)
from mhsip.weeks import latest_complete_week, monday_of, weeks_between
from wards.models import Ward

from . import coverage, value_inputs
from .engine.choice import U_CHART_MIN_PER_POINT
from .models import Scope
from .specs import WeeklySeries

SUBMITTED = WeeklyReturn.Status.SUBMITTED


def ward_start_weeks(ward_ids) -> dict[int, datetime.date]:
    """The week each ward's charts start: when it joined the programme (its earliest
    enrolment), else its first return; never before the ward's first full week open."""
    joined = dict(
        Enrolment.objects.filter(ward_id__in=ward_ids)
        .values("ward_id")
        .annotate(first=Min("joined_on"))
        .values_list("ward_id", "first")
    )
    first_return = dict(
        WeeklyReturn.objects.filter(ward_id__in=ward_ids)
        .values("ward_id")
        .annotate(first=Min("week_start"))
        .values_list("ward_id", "first")
    )
    starts = {}
    for ward_id, active_from in Ward.objects.filter(pk__in=ward_ids).values_list(
        "pk", "active_from"
    ):
        opened = monday_of(active_from)
        if opened < active_from:
            opened += datetime.timedelta(weeks=1)  # the first full week the ward was open
        starts[ward_id] = max(joined.get(ward_id) or first_return.get(ward_id) or opened, opened)
    return starts


def ward_end_week(ward: Ward, today: datetime.date) -> datetime.date:
    last = latest_complete_week(today)
    if ward.active_to is not None:
        last = min(last, monday_of(ward.active_to))
    return last


class _Events:
    """Incident dates of counts, and whether each count's dates are complete."""

    def __init__(self):
        self.days = defaultdict(list)  # series key -> dates
        self.undated = defaultdict(int)  # series key -> weeks with incidents not all dated

    def add(self, key, count: int, dates: list) -> None:
        if count == 0:
            return
        if len(dates) == count:
            self.days[key].extend(dates)
        else:
            self.undated[key] += 1

    def of(self, key) -> tuple[np.ndarray | None, int]:
        if self.undated.get(key):
            return None, self.undated[key]
        return np.array(sorted(self.days.get(key, ())), dtype="datetime64[D]"), 0


def _dates_by_count(counts_filter: dict) -> dict[int, list[datetime.date]]:
    dates = defaultdict(list)
    rows = IncidentDate.objects.filter(**counts_filter).values_list("count_id", "occurred_on")
    for count_id, day in rows.iterator(chunk_size=20_000):
        dates[count_id].append(day)
    return dates


def ward_series(
    wards: list[Ward], measure_ids: list[int], today: datetime.date
) -> dict[tuple[int, int], WeeklySeries]:
    """(ward id, measure id) -> weekly series with its incident dates, for many wards in
    three queries (returns, counts, dates) and, for measures that are not counts, a few more
    (spc/value_inputs.py); arrays filled by position, not week by week."""
    wanted = measure_ids
    kinds, parts = value_inputs.measure_kinds(measure_ids)
    value_ids = [m for m in measure_ids if kinds.get(m) in value_inputs.VALUE_TYPES]
    composites = {m: parts.get(m, []) for m in measure_ids
                  if kinds.get(m) == value_inputs.COMPOSITE}  # fmt: skip
    measure_ids = sorted({m for m in measure_ids if m not in value_ids and m not in composites}
                         | {p for ids in composites.values() for p in ids})  # fmt: skip
    ward_ids = [w.pk for w in wards]
    starts = ward_start_weeks(ward_ids)
    axes = {w.pk: weeks_between(starts[w.pk], ward_end_week(w, today)) for w in wards}
    position = {w: {week: i for i, week in enumerate(axis)} for w, axis in axes.items()}
    bed_days = {w: np.full(len(axis), np.nan) for w, axis in axes.items()}
    counts = {(w, m): np.full(len(axes[w]), np.nan) for w in ward_ids for m in measure_ids}
    where = {}  # return id -> (ward id, week index)
    returns = WeeklyReturn.objects.filter(ward_id__in=ward_ids, status=SUBMITTED)
    for return_id, ward_id, week, obd in returns.values_list(
        "pk", "ward_id", "week_start", "occupied_bed_days"
    ).iterator(chunk_size=20_000):
        index = position[ward_id].get(week)
        if index is None:
            continue  # before the chart starts, or after the ward closed
        where[return_id] = (ward_id, index)
        if obd is not None:
            bed_days[ward_id][index] = obd
    scope = {"weekly_return__ward_id__in": ward_ids, "weekly_return__status": SUBMITTED}
    dates = _dates_by_count({f"count__{k}": v for k, v in scope.items()})
    events = _Events()
    rows = WeeklyCount.objects.filter(measure_id__in=measure_ids, **scope).values_list(
        "pk", "weekly_return_id", "measure_id", "count"
    )
    for count_id, return_id, measure_id, count in rows.iterator(chunk_size=20_000):
        if return_id in where:
            ward_id, index = where[return_id]
            counts[ward_id, measure_id][index] = count
            events.add((ward_id, measure_id), count, dates.get(count_id, ()))
    result = {}
    for (ward_id, measure_id), values in counts.items():
        days, undated = events.of((ward_id, measure_id))
        result[ward_id, measure_id] = WeeklySeries(
            axes[ward_id], values, bed_days[ward_id], events=days, undated_weeks=undated
        )
    for ward_id in ward_ids:
        for composite_id, part_ids in composites.items():
            of_parts = [result[ward_id, p] for p in part_ids]
            values = value_inputs.composite_values([p.counts for p in of_parts]) if of_parts \
                else np.full(len(axes[ward_id]), np.nan)  # fmt: skip
            days, undated = value_inputs.composite_events(
                [(p.events, p.undated_weeks) for p in of_parts], axes[ward_id], values)
            result[ward_id, composite_id] = WeeklySeries(
                axes[ward_id], values, bed_days[ward_id], events=days, undated_weeks=undated)
    if value_ids:
        shape = {w: len(axis) for w, axis in axes.items()}
        figures = value_inputs.ward_values(ward_ids, value_ids, kinds, where, shape, bed_days)
        for (ward_id, measure_id), (values, den) in figures.items():
            result[ward_id, measure_id] = WeeklySeries(axes[ward_id], values, den)
    return {(w, m): result[w, m] for w in ward_ids for m in wanted}


def _scope_filter(scope: str, scope_id: int, prefix: str) -> dict:
    if scope == Scope.TRUST:
        return {f"{prefix}trust_id": scope_id}
    if scope == Scope.REGION:
        return {f"{prefix}trust__region_id": scope_id}
    return {}


def aggregate_series(
    scope: str, scope_id: int, measure_ids: list[int], today: datetime.date
) -> dict[int, WeeklySeries]:
    """measure id -> the weekly sums over the scope's wards, summed by the database (one
    GROUP BY), with the union of the wards' incident dates where all of them are complete.

    A ward adds to a week only when its submitted return has a count for the measure and its
    bed days; `contributors` says how many wards did, so partial weeks are visible. Measures
    that are not counts: spc/value_inputs.py."""
    kinds, parts = value_inputs.measure_kinds(measure_ids)
    wanted = measure_ids
    others = [m for m in measure_ids if kinds.get(m) in (*value_inputs.VALUE_TYPES,
                                                        value_inputs.COMPOSITE)]  # fmt: skip
    measure_ids = [m for m in measure_ids if m not in others]
    scope_filter = {"weekly_return__status": SUBMITTED,
                    **_scope_filter(scope, scope_id, "weekly_return__ward__")}  # fmt: skip
    base = {"weekly_return__status": SUBMITTED, "weekly_return__occupied_bed_days__isnull": False,
            "measure_id__in": measure_ids,
            **_scope_filter(scope, scope_id, "weekly_return__ward__")}  # fmt: skip
    rows = (
        WeeklyCount.objects.filter(**base)
        .values_list("weekly_return__week_start", "measure_id")
        # A return has one count per measure and a ward one return per week, so the rows
        # of a week and measure are its wards: COUNT(*), not a far slower COUNT(DISTINCT).
        .annotate(total=Sum("count"), bed_days=Sum("weekly_return__occupied_bed_days"),
                  wards=Count("pk"))  # fmt: skip
    )
    wards = Ward.objects.filter(**_scope_filter(scope, scope_id, ""))
    first = Enrolment.objects.filter(ward__in=wards).aggregate(first=Min("joined_on"))["first"]
    by_measure = defaultdict(dict)
    for week, measure_id, total, obd, contributors in rows:
        by_measure[measure_id][week] = (total, obd, contributors)
        first = min(first or week, week)
    other_data = value_inputs.aggregate_values(scope_filter, others, kinds) | \
        value_inputs.aggregate_composites(
            {**scope_filter, "weekly_return__occupied_bed_days__isnull": False},
            {m: parts.get(m, []) for m in others
             if kinds[m] == value_inputs.COMPOSITE})  # fmt: skip
    if (earliest := value_inputs.first_week(other_data)) is not None:
        first = min(first or earliest, earliest)
    weeks = weeks_between(first, latest_complete_week(today)) if first else ()
    spans = enrolment_spans(wards, [*measure_ids, *others])
    rare = [m for m in measure_ids if _few_incidents(by_measure.get(m, {}), weeks)]
    events = _aggregate_events({**base, "measure_id__in": rare}, weeks)
    result = {}
    for measure_id in measure_ids:
        data = by_measure.get(measure_id, {})
        days, undated = events.of(measure_id)
        contributors = np.array([data[w][2] if w in data else 0 for w in weeks], dtype=int)
        enrolled, joins, leaves = coverage.enrolled_counts(weeks, spans.get(measure_id, ()))
        result[measure_id] = WeeklySeries(
            weeks,
            np.array([data[w][0] if w in data else np.nan for w in weeks], dtype=float),
            np.array([data[w][1] if w in data else np.nan for w in weeks], dtype=float),
            contributors,
            events=days,
            undated_weeks=undated,
            enrolled=enrolled,
            mix_changes=tuple(coverage.mix_changes(
                weeks, enrolled, contributors, joins, leaves,
                settings.MHSIP_COVERAGE_CHANGE_PERCENT,
            )),
        )  # fmt: skip
    for measure_id in others:
        values, den, wards_in = value_inputs.series_arrays(other_data.get(measure_id, {}), weeks)
        enrolled, joins, leaves = coverage.enrolled_counts(weeks, spans.get(measure_id, ()))
        result[measure_id] = WeeklySeries(
            weeks, values, den, wards_in, enrolled=enrolled,
            mix_changes=tuple(coverage.mix_changes(
                weeks, enrolled, wards_in, joins, leaves, settings.MHSIP_COVERAGE_CHANGE_PERCENT,
            )),
        )  # fmt: skip
    return {m: result[m] for m in wanted}


def enrolment_spans(wards, measure_ids) -> dict[int, list[tuple]]:
    """measure id -> (first week, last week or None) of each ward of `wards` enrolled in a
    programme of the measure: from its earliest such enrolment to the week it closed."""
    covers = defaultdict(set)
    for programme_id, measure_id in Programme.measures.through.objects.filter(
        measure_id__in=measure_ids
    ).values_list("programme_id", "measure_id"):
        covers[programme_id].add(measure_id)
    first, closes = {}, {}
    rows = Enrolment.objects.filter(ward__in=wards).values_list(
        "ward_id", "programme_id", "joined_on", "ward__active_to"
    )
    for ward_id, programme_id, joined, active_to in rows:
        closes[ward_id] = monday_of(active_to) if active_to else None
        for measure_id in covers[programme_id]:
            key = (measure_id, ward_id)
            first[key] = min(first.get(key, joined), joined)
    spans = defaultdict(list)
    for (measure_id, ward_id), joined in first.items():
        spans[measure_id].append((joined, closes[ward_id]))
    # A local measure's enrolled wards, from when each joined a programme (else throughout).
    joined = dict(Enrolment.objects.filter(ward__in=wards).values("ward_id")
                  .annotate(first=Min("joined_on")).values_list("ward_id", "first"))  # fmt: skip
    rows = LocalMeasure.wards.through.objects.filter(
        localmeasure_id__in=measure_ids, ward__in=wards
    ).values_list("localmeasure_id", "ward_id", "ward__active_to")
    for measure_id, ward_id, active_to in rows:
        spans[measure_id].append((joined.get(ward_id, datetime.date.min),
                                  monday_of(active_to) if active_to else None))  # fmt: skip
    return spans


# Only a chart expecting fewer incidents a week than a u chart needs can become a chart of the
# gaps between them (spc.engine.choice.U_CHART_MIN_PER_POINT); busier aggregates, nearly all
# trusts, regions and the nation, never read their incidents' dates.
GAP_CHARTS_BELOW_PER_WEEK = U_CHART_MIN_PER_POINT


def _few_incidents(data: dict, weeks) -> bool:
    """Whether an aggregate's series has fewer than GAP_CHARTS_BELOW_PER_WEEK incidents a week
    over its weeks (a generous stand-in for its baseline's, which the engine judges)."""
    totals = [data[w][0] for w in weeks if w in data]
    return not totals or sum(totals) / len(totals) < GAP_CHARTS_BELOW_PER_WEEK


def _aggregate_events(base: dict, weeks) -> _Events:
    """Per measure, every incident date of the counts summed into the aggregate, when all of
    them are dated. Completeness is counted by the database, so a national chart does not
    read millions of counts to find that some ward gave no dates."""
    events = _Events()
    if not weeks or not base["measure_id__in"]:
        return events
    counted = WeeklyCount.objects.filter(**base, count__gt=0)
    undated = (
        counted.annotate(dated=Count("dates")).exclude(dated=F("count"))
        .values("measure_id").annotate(n=Count("pk")).values_list("measure_id", "n")
    )  # fmt: skip
    events.undated.update(dict(undated))
    complete = [m for m in base["measure_id__in"] if not events.undated.get(m)]
    rows = IncidentDate.objects.filter(
        **{f"count__{k}": v for k, v in base.items() if k != "measure_id__in"},
        count__measure_id__in=complete,
    ).values_list("count__measure_id", "occurred_on")
    for measure_id, day in rows.iterator(chunk_size=20_000):
        events.days[measure_id].append(day)
    return events
