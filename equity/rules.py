"""The rules of a breakdown: the one place that decides whether breakdown rows may be saved.

Pure: typed rows and the saved returns' totals in, row errors out. A breakdown of one
ward-week and dimension is all of that dimension's groups at once (a file replaces them), so
its sums can be checked against the return: counts by group add up to the return's count
exactly (the return's total wins: a breakdown that does not add up is refused, never scaled),
and bed days by group add up to at most the return's occupied bed days (a patient whose
group is not recorded is in "not known", but a breakdown cannot hold more bed days than
the ward had).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from .groups import DIMENSION, DIMENSIONS, ETHNICITY, group_of


@dataclass(frozen=True)
class BreakdownRow:
    line: int  # the file's row number (header = 1), for the message
    ward_code: str
    week_start: datetime.date
    dimension: str
    code: str
    occupied_bed_days: int
    counts: dict[str, int] = field(default_factory=dict)  # measure code → count


@dataclass(frozen=True)
class ReturnTotals:
    ward_name: str
    occupied_bed_days: int | None
    counts: dict[str, int]  # measure code → the return's count (missing: absent)


def _code_error(row: BreakdownRow) -> str | None:
    if row.dimension not in DIMENSIONS:
        return (f"unknown breakdown '{row.dimension}': use one of "
                f"{', '.join(DIMENSIONS)}")  # fmt: skip
    if group_of(row.dimension, row.code) is None:
        known = ", ".join(DIMENSION[row.dimension].codes)
        what = "NHS Data Dictionary ethnic category code" if row.dimension == ETHNICITY else (
            f"{DIMENSIONS[row.dimension].lower()} code")
        return f"unknown {what} '{row.code}': use one of {known}"
    return None


def _row_errors(row, totals, measure_names, seen) -> list[str]:
    errors = []
    if (message := _code_error(row)) is not None:
        errors.append(message)
    key = (row.ward_code, row.week_start, row.dimension, row.code)
    if key in seen:
        errors.append(f"the same group appears twice for this ward-week (row {seen[key]})")
    seen.setdefault(key, row.line)
    if totals is None:
        errors.append(f"no weekly return for ward '{row.ward_code}' w/c "
                      f"{row.week_start:%d %b %Y}: the return comes first")  # fmt: skip
        return errors
    for code, count in row.counts.items():
        if count and not row.occupied_bed_days:
            errors.append(f"{count} {measure_names[code].lower()} with no bed days for this "
                          "group: a group with events needs its bed days")  # fmt: skip
        if code not in totals.counts:
            errors.append(f"the return has no {measure_names[code].lower()} count that week")
    return errors


def _sum_errors(rows, returns, measure_names) -> dict[int, list[str]]:
    """Errors of whole ward-week-dimension breakdowns, reported on their first row."""
    errors = defaultdict(list)
    groups = defaultdict(list)
    for row in rows:
        groups[(row.ward_code, row.week_start, row.dimension)].append(row)
    for (ward_code, week, dimension), members in groups.items():
        totals = returns.get((ward_code, week))
        if totals is None or dimension not in DIMENSIONS:
            continue
        first, label = members[0].line, DIMENSIONS[dimension].lower()
        days = sum(r.occupied_bed_days for r in members)
        if totals.occupied_bed_days is not None and days > totals.occupied_bed_days:
            errors[first].append(
                f"bed days by {label} add up to {days}, {days - totals.occupied_bed_days} "
                f"above the return's {totals.occupied_bed_days} occupied bed days")
        for code in {c for r in members for c in r.counts}:
            total = sum(r.counts.get(code, 0) for r in members)
            saved = totals.counts.get(code)
            if saved is not None and total != saved:
                gap = f"{saved - total} short" if total < saved else f"{total - saved} over"
                errors[first].append(
                    f"{measure_names[code].lower()} by {label} add up to {total}, but the "
                    f"return says {saved} ({gap}); the return's total wins: correct the "
                    "breakdown or the return")
    return errors


def breakdown_errors(rows: list[BreakdownRow], returns: dict[tuple, ReturnTotals],
                     measure_names: dict[str, str]) -> dict[int, list[str]]:
    """{file row: [messages]} for every row that may not be saved; empty when all may."""
    seen: dict = {}
    errors = defaultdict(list)
    for row in rows:
        errors[row.line] += _row_errors(
            row, returns.get((row.ward_code, row.week_start)), measure_names, seen)
    for line, messages in _sum_errors(rows, returns, measure_names).items():
        errors[line] += messages
    return {line: messages for line, messages in errors.items() if messages}
