"""Chart inputs of measures that are not plain counts (spc/inputs.py calls these): composites
(the sum of their parts' counts, missing in a week when any part is), proportions (numerator
over denominator), durations (per occupied bed days) and mean scores.

Each becomes a `WeeklySeries` the specs know how to chart (spc/specs.py, by value type):
- composite: `counts` = the sum of the parts, `bed_days` = occupied bed days (a count's).
- proportion: `counts` = numerators, `bed_days` = denominators (the p chart's n).
- duration: `counts` = hours or days, `bed_days` = occupied bed days (a rate per 1,000).
- score: `counts` = the mean score; `bed_days` NaN on a ward; on an aggregate the sum of the
  wards' means over `bed_days` = how many wards gave one (so the chart is their mean).
"""

import datetime
from collections import defaultdict

import numpy as np
from django.db.models import Count, Sum

from measures.models import CompositePart, Measure, WeeklyCount, WeeklyReturn, WeeklyValue

SUBMITTED = WeeklyReturn.Status.SUBMITTED
COMPOSITE = Measure.ValueType.COMPOSITE
PROPORTION = Measure.ValueType.PROPORTION
SCORE = Measure.ValueType.SCORE
VALUE_TYPES = (PROPORTION, Measure.ValueType.DURATION, SCORE)


def measure_kinds(measure_ids) -> tuple[dict[int, str], dict[int, list[int]]]:
    """measure id -> value type, and composite id -> its parts' ids (two small queries)."""
    kinds = dict(Measure.objects.filter(pk__in=measure_ids).values_list("pk", "value_type"))
    parts = defaultdict(list)
    rows = CompositePart.objects.filter(composite_id__in=[m for m, k in kinds.items()
                                                          if k == COMPOSITE])  # fmt: skip
    for composite_id, part_id in rows.values_list("composite_id", "part_id"):
        parts[composite_id].append(part_id)
    return kinds, dict(parts)


def composite_values(part_values: list[np.ndarray]) -> np.ndarray:
    """A composite's weeks: the sum of its parts, NaN (missing) where any part is, and
    everywhere when it has no parts (nothing to add is not a zero)."""
    if not part_values:
        return np.full(0, np.nan)
    return np.sum(np.vstack(part_values), axis=0)  # NaN + x is NaN: missing if any is


def composite_events(parts: list[tuple[np.ndarray | None, int]], weeks=(),
                     values: np.ndarray | None = None) -> tuple:
    """A composite's incident days: every part's, when all of them are complete, except the
    days of weeks the composite is missing (`values` NaN on the axis `weeks`: a part had no
    count), which the chart of the composite leaves out as it leaves out the week."""
    if not parts or any(days is None for days, _ in parts):
        return None, sum(undated for _, undated in parts)
    days = np.sort(np.concatenate([days for days, _ in parts]))
    if values is None or not len(weeks) or not np.isnan(values).any():
        return days, 0
    week = np.searchsorted(np.array(weeks, dtype="datetime64[D]"), days, side="right") - 1
    known = (week >= 0) & ~np.isnan(values[np.clip(week, 0, len(values) - 1)])
    return days[known], 0


def ward_values(ward_ids, measure_ids, kinds: dict, where: dict, shape: dict,
                bed_days: dict) -> dict:  # fmt: skip
    """(ward id, measure id) -> (values, denominators) of proportion, duration and score
    measures. `where`: return id -> (ward id, week index) of the submitted returns charted;
    `shape`: ward id -> weeks on its axis; `bed_days`: ward id -> its bed days array."""
    out = {}
    for ward_id in ward_ids:
        for measure_id in measure_ids:
            n = shape[ward_id]
            den = np.full(n, np.nan)
            if kinds[measure_id] == Measure.ValueType.DURATION:
                den = bed_days[ward_id]
            out[ward_id, measure_id] = (np.full(n, np.nan), den)
    rows = WeeklyValue.objects.filter(
        measure_id__in=measure_ids, weekly_return__ward_id__in=ward_ids,
        weekly_return__status=SUBMITTED,
    ).values_list("weekly_return_id", "measure_id", "numerator", "denominator", "value")
    for return_id, measure_id, numerator, denominator, value in rows.iterator(chunk_size=20_000):
        if return_id not in where:
            continue
        ward_id, index = where[return_id]
        values, den = out[ward_id, measure_id]
        if kinds[measure_id] == PROPORTION:
            values[index], den[index] = numerator, denominator
        else:
            values[index] = float(value)
    return out


def aggregate_values(base: dict, measure_ids, kinds) -> dict[int, dict]:
    """measure id -> week -> (value, denominator, wards) of proportion, duration and score
    measures over a scope's submitted returns (`base`: the filter of its rows). A duration
    counts a ward-week only with its occupied bed days (its rate's denominator)."""
    by_measure = defaultdict(dict)
    for kind in VALUE_TYPES:
        ids = [m for m in measure_ids if kinds.get(m) == kind]
        if not ids:
            continue
        where = {**base, "measure_id__in": ids}
        if kind == Measure.ValueType.DURATION:
            where["weekly_return__occupied_bed_days__isnull"] = False
        rows = (
            WeeklyValue.objects.filter(**where)
            .values_list("weekly_return__week_start", "measure_id")
            .annotate(top=Sum("numerator"), bottom=Sum("denominator"), total=Sum("value"),
                      bed_days=Sum("weekly_return__occupied_bed_days"), wards=Count("pk"))
        )  # fmt: skip
        for week, measure_id, top, bottom, total, obd, wards in rows:
            if kind == PROPORTION:
                by_measure[measure_id][week] = (top, bottom, wards)
            elif kind == SCORE:
                by_measure[measure_id][week] = (float(total), wards, wards)  # their mean
            else:
                by_measure[measure_id][week] = (float(total), obd, wards)
    return by_measure


def aggregate_composites(base: dict, parts: dict[int, list[int]]) -> dict[int, dict]:
    """composite id -> week -> (total, bed days, wards): each ward-week adds the sum of its
    parts only when it has every part (a ward missing one is left out of that week, as a
    missing count is for a count measure)."""
    out = defaultdict(dict)
    for composite_id, part_ids in parts.items():
        rows = (
            WeeklyCount.objects.filter(**base, measure_id__in=part_ids)
            # Grouped by return (its week and bed days go with it), kept when it has them all.
            .values("weekly_return_id", "weekly_return__week_start",
                    "weekly_return__occupied_bed_days")
            .annotate(total=Sum("count"), n=Count("pk"))
            .filter(n=len(part_ids))
            .values_list("weekly_return__week_start", "total",
                         "weekly_return__occupied_bed_days")
        )  # fmt: skip
        weeks = out[composite_id]
        for week, total, obd in rows.iterator(chunk_size=20_000):
            old = weeks.get(week, (0, 0, 0))
            weeks[week] = (old[0] + total, old[1] + obd, old[2] + 1)
    return out


def series_arrays(data: dict, weeks) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """week -> (value, denominator, wards) as arrays on `weeks` (NaN / 0 where missing)."""
    get = [data.get(w) for w in weeks]
    return (
        np.array([d[0] if d else np.nan for d in get], dtype=float),
        np.array([d[1] if d else np.nan for d in get], dtype=float),
        np.array([d[2] if d else 0 for d in get], dtype=int),
    )


def first_week(data: dict) -> datetime.date | None:
    return min((w for weeks in data.values() for w in weeks), default=None)
