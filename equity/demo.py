"""Demo breakdowns: a few wards of the demo trust, whose restrictive practice falls on Black
patients about 3.5 times as often per bed day as on White patients until the ward's change
idea, and about 1.6 times after it (the disproportion narrows but does not close).

Each week's counts are split exactly (they add up to the return's), bed days by fixed shares
of the ward's population; seeded, so a second run writes the same. Aggregates only."""

import datetime
import zlib

import numpy as np

from measures.models import WeeklyReturn

from .groups import AGE, ETHNICITY, LDA, SEX
from .models import GroupBedDays, GroupCount

MEASURES = ("physical_restraint", "prone_restraint", "rapid_tranquillisation", "seclusion")
# (code, share of bed days, rate ratio before, rate ratio after the change idea)
SHARES = {
    ETHNICITY: [("A", 0.62, 1.0, 1.0), ("C", 0.06, 1.0, 1.0), ("M", 0.06, 3.5, 1.6),
                ("N", 0.07, 3.5, 1.6), ("H", 0.05, 1.1, 1.0), ("J", 0.05, 1.2, 1.1),
                ("D", 0.04, 2.0, 1.4), ("S", 0.03, 1.3, 1.2), ("Z", 0.02, 1.0, 1.0)],
    AGE: [("18-24", 0.14, 1.9, 1.5), ("25-34", 0.24, 1.4, 1.2), ("35-44", 0.22, 1.0, 1.0),
          ("45-54", 0.18, 0.8, 0.8), ("55-64", 0.14, 0.6, 0.6), ("65+", 0.08, 0.4, 0.4)],
    SEX: [("1", 0.56, 1.2, 1.1), ("2", 0.44, 1.0, 1.0)],
    LDA: [("yes", 0.08, 2.8, 2.0), ("no", 0.92, 1.0, 1.0)],
}  # fmt: skip


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """Largest-remainder split of total by weights: whole numbers adding up to total."""
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(int)
    out[np.argsort(raw - out)[::-1][: total - out.sum()]] += 1
    return out


def _week_rows(weekly_return, measures, improves_from: datetime.date | None):
    after = improves_from is not None and weekly_return.week_start >= improves_from
    rng = np.random.default_rng(zlib.crc32(f"{weekly_return.ward_id}/{weekly_return.week_start}"
                                           .encode()))  # fmt: skip
    counts = {c.measure.code: c for c in weekly_return.counts.all()}
    days_rows, count_rows = [], []
    for dimension, groups in SHARES.items():
        shares = np.array([g[1] for g in groups])
        days = _split(weekly_return.occupied_bed_days, shares)
        ratios = np.array([g[3] if after else g[2] for g in groups])
        for (code, *_), d in zip(groups, days, strict=True):
            days_rows.append(GroupBedDays(weekly_return=weekly_return, dimension=dimension,
                                          code=code, occupied_bed_days=int(d)))  # fmt: skip
        for measure_code in MEASURES:
            count = counts.get(measure_code)
            if count is None:
                continue
            weights = days * ratios
            split = rng.multinomial(count.count, weights / weights.sum()) if weights.sum() else 0
            for (code, *_), n in zip(groups, np.broadcast_to(split, days.shape), strict=True):
                count_rows.append(GroupCount(weekly_return=weekly_return, measure=count.measure,
                                             dimension=dimension, code=code, count=int(n)))
    return days_rows, count_rows


def seed_breakdowns(wards: list[tuple[object, datetime.date | None]]) -> int:
    """Breakdowns for every submitted return of these (ward, change idea date) pairs that has
    none yet; returns how many ward-weeks were added."""
    added = 0
    for ward, improves_from in wards:
        returns = (WeeklyReturn.objects.filter(
            ward=ward, status=WeeklyReturn.Status.SUBMITTED, occupied_bed_days__gt=0,
            group_bed_days__isnull=True).prefetch_related("counts__measure"))  # fmt: skip
        days_rows, count_rows = [], []
        for weekly_return in returns:
            d, c = _week_rows(weekly_return, MEASURES, improves_from)
            days_rows += d
            count_rows += c
            added += 1
        GroupBedDays.objects.bulk_create(days_rows, batch_size=5000)
        GroupCount.objects.bulk_create(count_rows, batch_size=5000)
    return added
