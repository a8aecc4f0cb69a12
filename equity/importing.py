"""Import of breakdown files (CSV or .xlsx): all or nothing, with row-level errors.

One row per ward, week, breakdown and group: `ward_code, week_start, breakdown, group,
occupied_bed_days`, then one column per restrictive-practice measure code (blank = 0 for
that group; a measure column left out is not broken down). Each ward-week-breakdown in the
file replaces that ward-week's saved groups of the breakdown, so its sums always hold.
The file is read with the returns importer's guards (size, dimension, NHS numbers).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from measures.import_cells import cell_text, date_error, normalise_header, parse_date, parse_number
from measures.importing import FileRefused, read_tables, refuse_identifiers
from measures.models import Measure, WeeklyReturn
from mhsip.weeks import is_monday

from . import rules
from .groups import normalise_code
from .models import GroupBedDays, GroupCount

FIXED = ["ward_code", "week_start", "breakdown", "group", "occupied_bed_days"]
MAX_ROWS = 50_000


def breakdown_measures():
    """The measures a breakdown may hold: restrictive practice, counts entered by wards."""
    return Measure.objects.filter(
        domain=Measure.Domain.RESTRICTIVE_PRACTICE, is_active=True
    ).order_by("display_order")


def template_columns() -> list[str]:
    return FIXED + [m.code for m in breakdown_measures()]


@dataclass
class BreakdownFile:
    rows: list[rules.BreakdownRow]
    errors: dict[int, list[str]]


def _header(values, measure_codes) -> list[str]:
    header = [normalise_header(v) for v in values]
    missing = [c for c in FIXED if c not in header]
    unknown = [c for c in header if c and c not in FIXED and c not in measure_codes]
    if missing or unknown:
        parts = [f"missing columns: {', '.join(missing)}"] if missing else []
        parts += [f"unknown columns: {', '.join(unknown)}"] if unknown else []
        raise FileRefused(f"The header is not a breakdown file's ({'; '.join(parts)}). "
                          f"Columns: {', '.join(FIXED)}, then measure codes.")  # fmt: skip
    return header


def _row(line, header, values, measure_codes) -> tuple[rules.BreakdownRow | None, list[str]]:
    cell = dict(zip(header, values, strict=False))
    errors = []
    try:
        week = parse_date(cell.get("week_start"))
        if not is_monday(week):
            errors.append(f"week_start {week:%d %b %Y} is not a Monday")
    except (ValueError, OverflowError, TypeError):
        week, _ = None, errors.append(date_error(cell.get("week_start")))
    numbers = {}
    for name in ["occupied_bed_days", *[c for c in header if c in measure_codes]]:
        try:
            numbers[name] = parse_number(cell.get(name), label=name) or 0
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        return None, errors
    dimension = cell_text(cell.get("breakdown")).casefold()
    return rules.BreakdownRow(
        line=line, ward_code=cell_text(cell.get("ward_code")), week_start=week,
        dimension=dimension, code=normalise_code(dimension, cell_text(cell.get("group"))),
        occupied_bed_days=numbers.pop("occupied_bed_days"), counts=numbers,
    ), []  # fmt: skip


def parse_breakdown_file(content: bytes, filename: str, ward_codes, returns_for) -> BreakdownFile:
    """Typed rows and every error of the file. `ward_codes`: the wards the user may write
    (others are "unknown", as out-of-scope objects are); `returns_for(rows)` loads totals."""
    measures = {m.code: m.name for m in breakdown_measures()}
    tables = read_tables(content, filename)
    rows_in = tables[0][1]
    header = None
    parsed, errors = [], defaultdict(list)
    for line, values in enumerate(rows_in, start=1):
        values = list(values)
        if header is None:
            header = _header(values, measures) if any(cell_text(v) for v in values) else None
            continue
        if not any(cell_text(v) for v in values):
            continue
        if line > MAX_ROWS + 1:
            raise FileRefused(f"The file has more than {MAX_ROWS:,} rows: split it.")
        refuse_identifiers(line, values)
        row, row_errors = _row(line, header, values, measures)
        if row and row.ward_code not in ward_codes:
            row_errors.append(f"unknown ward code '{row.ward_code}' (or not a ward you manage)")
        errors[line] += row_errors
        if row and not row_errors:
            parsed.append(row)
    if header is None:
        raise FileRefused("The file is empty: it has no header row.")
    for line, messages in rules.breakdown_errors(parsed, returns_for(parsed), measures).items():
        errors[line] += messages
    return BreakdownFile(parsed, {k: v for k, v in sorted(errors.items()) if v})


@transaction.atomic
def breakdowns_commit(*, rows: list[rules.BreakdownRow], wards: dict, user) -> int:
    """Write a file's rows (already free of errors), replacing each ward-week-breakdown."""
    by_return = {}
    for row in rows:
        key = (row.ward_code, row.week_start)
        if key not in by_return:
            by_return[key] = WeeklyReturn.objects.get(ward=wards[row.ward_code],
                                                      week_start=row.week_start)
    measures = {m.code: m for m in breakdown_measures()}
    replaced = {(by_return[(r.ward_code, r.week_start)].pk, r.dimension) for r in rows}
    for return_id, dimension in replaced:
        for model in (GroupBedDays, GroupCount):
            for old in model.objects.filter(weekly_return_id=return_id, dimension=dimension):
                old._change_reason = "replaced by a breakdown import"
                old.delete()
    for row in rows:
        weekly_return = by_return[(row.ward_code, row.week_start)]
        GroupBedDays.objects.create(weekly_return=weekly_return, dimension=row.dimension,
                                    code=row.code, occupied_bed_days=row.occupied_bed_days)
        for code, count in row.counts.items():
            GroupCount.objects.create(weekly_return=weekly_return, measure=measures[code],
                                      dimension=row.dimension, code=row.code, count=count)
    return len(rows)


def returns_totals(rows, wards: dict) -> dict:
    """The saved totals of the returns the rows name: {(ward code, week): ReturnTotals}."""
    keys = {(r.ward_code, r.week_start) for r in rows}
    weeks = {week for _, week in keys}
    found = (WeeklyReturn.objects.filter(ward__in=wards.values(), week_start__in=weeks)
             .select_related("ward").prefetch_related("counts__measure"))  # fmt: skip
    totals = {}
    for weekly_return in found:
        key = (weekly_return.ward.code, weekly_return.week_start)
        if key in keys:
            totals[key] = rules.ReturnTotals(
                ward_name=weekly_return.ward.name,
                occupied_bed_days=weekly_return.occupied_bed_days,
                counts={c.measure.code: c.count for c in weekly_return.counts.all()},
            )
    return totals
