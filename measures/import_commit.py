"""The write of an imported file or a bulk API request: every row, or nothing.

A 50,000-row file is 50,000 returns and ~650,000 counts, each with a history row. Model
instances and simple_history's bulk helpers take about a minute for that; the writes of
`mhsip.bulk` take seconds (on PostgreSQL: COPY into temporary tables, then one statement per
table and kind of change that also writes the history rows). The history rows are the ones
simple_history would write (same table, same fields, user, date and reason)."""

from collections import Counter

from django.db import connection, transaction
from django.utils import timezone

from mhsip.bulk import (
    HistoryStamp,
    delete_rows_with_history,
    insert_rows_with_history,
    prepared_rows,
    update_rows_with_history,
)
from mhsip.freshness import charts_stale

from .errors import ImportRefused
from .import_plan import returns_import_plan
from .models import IncidentDate, Measure, WeeklyCount, WeeklyReturn
from .rules import SUBMITTED

HISTORY_REASON_LENGTH = 100  # simple_history's history_change_reason


RETURN_FIELDS = [
    "ward", "week_start", "beds", "occupied_bed_days", "status", "not_collected", "version",
    "submitted_by", "submitted_at", "updated_by", "created_at", "updated_at",
]  # fmt: skip


def history_reason(source: str, reason: str = "") -> str:
    """"Imported from <file>", and the reason given for changing late weeks."""
    text = f"Imported from {source}" + (f": {reason}" if reason else "")
    return text[:HISTORY_REASON_LENGTH]


@transaction.atomic
def weekly_returns_import_commit(
    *,
    user,
    parsed,
    source: str,
    confirm_implausible: bool = False,
    reason: str = "",
    expected_versions: dict[str, int] | None = None,
):
    """Write every row of an imported file, or nothing: one transaction, re-planned here under
    row locks with the same rules as the preview.

    `parsed` is an `importing.ParsedFile`. Refused (`ImportRefused`, nothing written) when a
    row breaks a rule, has an unconfirmed implausible count, changes a submitted week older
    than 4 weeks without `reason`, or (given the preview's `expected_versions`) changed since
    the preview. Re-uploading a file already imported changes nothing (every row is
    unchanged). Returns the `ImportPlan` written."""
    plan = returns_import_plan(user=user, parsed=parsed, lock=True, reason=reason,
                               expected_versions=expected_versions)  # fmt: skip
    if plan.errors or plan.needs_reason or (plan.warnings and not confirm_implausible):
        raise ImportRefused(plan)
    now = timezone.now()
    why = history_reason(source, (reason or "").strip())
    creates, updates = plan.rows_for("create"), plan.rows_for("update")
    new_returns = [_stamped(WeeklyReturn(ward=row.ward, week_start=row.week_start,
                                         created_at=now, version=1), row, user, now)
                   for row in creates]  # fmt: skip
    changed_returns = [_stamped(row.existing, row, user, now) for row in updates]
    for weekly_return in changed_returns:
        weekly_return.version += 1
    stamp = HistoryStamp(when=now, user_id=user.pk, reason=why)
    _write_returns(new_returns, changed_returns, stamp)
    _write_counts(
        [*zip(creates, new_returns, strict=True), *zip(updates, changed_returns, strict=True)],
        stamp,
    )
    # One refresh for the whole file, of the wards it changed: ward charts first, then their
    # trust, region and national charts.
    charts_stale(ward_ids={r.ward.pk for r in plan.rows if r.action != "unchanged"})
    return plan


def _stamped(weekly_return, row, user, now):
    if row.status == SUBMITTED and (weekly_return.status != SUBMITTED or not weekly_return.pk):
        weekly_return.submitted_by = user
        weekly_return.submitted_at = now
    weekly_return.status = row.status
    weekly_return.beds = row.beds
    weekly_return.occupied_bed_days = row.occupied_bed_days
    weekly_return.not_collected = row.not_collected
    weekly_return.updated_by = user
    weekly_return.updated_at = now
    return weekly_return


def _write_returns(new_returns, changed_returns, stamp: HistoryStamp) -> None:
    ids = insert_rows_with_history(
        WeeklyReturn, RETURN_FIELDS, prepared_rows(new_returns, RETURN_FIELDS),
        key=["ward", "week_start"], stamp=stamp,
    )  # fmt: skip
    for weekly_return in new_returns:
        weekly_return.pk = ids[(weekly_return.ward_id, weekly_return.week_start)]
    update_rows_with_history(WeeklyReturn, RETURN_FIELDS[2:], changed_returns, stamp=stamp)


def _count_writes(pairs, measure_ids):
    """(new (return id, measure id, count), changed (id, count), removed ids)."""
    new_pairs, changed, removed = [], [], []
    for row, weekly_return in pairs:
        for code, value in row.counts.items():
            saved = row.saved_counts.get(code)
            if saved is None:
                if value is not None:
                    new_pairs.append((weekly_return.pk, measure_ids[code], value))
            elif value is None:
                removed.append(saved[0])
            else:
                changed.append(WeeklyCount(id=saved[0], count=value))
    return new_pairs, changed, removed


def _date_writes(pairs, measure_ids, new_count_ids):
    """(ids of days to delete, (count id, day) to add): only the days that change, as the
    return form's service does (a day kept keeps its row and its history)."""
    gone, added = [], []
    for row, weekly_return in pairs:
        for code, days in row.incident_dates.items():
            if code in row.saved_counts:
                count_id = row.saved_counts[code][0]
            else:
                count_id = new_count_ids.get((weekly_return.pk, measure_ids[code]))
            wanted = Counter(days)
            for date_id, day in row.saved_dates.get(code, []):
                if wanted[day] > 0:
                    wanted[day] -= 1
                else:
                    gone.append(date_id)
            added += [(count_id, day) for day in sorted(wanted.elements())]
    return gone, added


def _write_counts(pairs, stamp: HistoryStamp) -> None:
    measure_ids = dict(Measure.objects.values_list("code", "id"))
    new_pairs, changed, removed = _count_writes(pairs, measure_ids)
    # Days first: a removed count takes its days with it (with their history), and no
    # day may outlive its count even for a moment of the transaction.
    dated_new = any(code not in row.saved_counts for row, _ in pairs for code in row.incident_dates)
    new_ids = insert_rows_with_history(
        WeeklyCount, ["weekly_return", "measure", "count"], new_pairs, stamp=stamp,
        key=["weekly_return", "measure"] if dated_new else None,
    )  # fmt: skip
    gone, added = _date_writes(pairs, measure_ids, new_ids)
    delete_rows_with_history(IncidentDate, "id", gone, stamp=stamp)
    delete_rows_with_history(IncidentDate, "count_id", removed, stamp=stamp)
    delete_rows_with_history(WeeklyCount, "id", removed, stamp=stamp)
    update_rows_with_history(WeeklyCount, ["count"], changed, stamp=stamp)
    insert_rows_with_history(IncidentDate, ["count", "occurred_on"],
                             _date_rows(added), stamp=stamp)  # fmt: skip


def _date_rows(added: list[tuple[int, object]]) -> list[tuple]:
    adapt = connection.ops.adapt_datefield_value
    return [(count_id, adapt(day)) for count_id, day in added]
