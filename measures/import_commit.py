"""The write of an imported file or a bulk API request: every row, or nothing.

A 50,000-row file is 50,000 returns and ~650,000 counts, each with a history row. Model
instances and simple_history's bulk helpers take about a minute for that; the multi-row
INSERTs, COPY and prepared UPDATEs of `mhsip.bulk` take seconds. The history rows written here
are the ones simple_history would write (same table, same fields, user, date and reason)."""

from django.db import connection, transaction
from django.utils import timezone

from mhsip.bulk import insert_rows, insert_rows_with_ids, prepared_rows, update_rows
from mhsip.freshness import charts_stale

from .errors import ImportRefused
from .import_plan import returns_import_plan
from .models import Measure, WeeklyCount, WeeklyReturn
from .rules import SUBMITTED

HISTORY_REASON_LENGTH = 100  # simple_history's history_change_reason


RETURN_FIELDS = [
    "ward", "week_start", "beds", "occupied_bed_days", "status", "version",
    "submitted_by", "submitted_at", "updated_by", "created_at", "updated_at",
]  # fmt: skip
COUNT_HISTORY_FIELDS = [
    "id", "weekly_return", "measure", "count",
    "history_date", "history_change_reason", "history_type", "history_user",
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
    _write_returns(new_returns, changed_returns, user, why, now)
    _write_counts(
        [*zip(creates, new_returns, strict=True), *zip(updates, changed_returns, strict=True)],
        user, why, now,
    )  # fmt: skip
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
    weekly_return.updated_by = user
    weekly_return.updated_at = now
    return weekly_return


def _write_returns(new_returns, changed_returns, user, why: str, now) -> None:
    insert_rows(WeeklyReturn, RETURN_FIELDS, prepared_rows(new_returns, RETURN_FIELDS))
    if new_returns:
        ids = {
            key[1:]: key[0]
            for key in WeeklyReturn.objects.filter(
                ward_id__in={r.ward_id for r in new_returns},
                week_start__range=(min(r.week_start for r in new_returns),
                                   max(r.week_start for r in new_returns)),
            ).values_list("id", "ward_id", "week_start")
        }  # fmt: skip
        for weekly_return in new_returns:
            weekly_return.pk = ids[(weekly_return.ward_id, weekly_return.week_start)]
    update_rows(WeeklyReturn, RETURN_FIELDS[2:], changed_returns)
    tracked = [f.attname for f in WeeklyReturn.history.model.tracked_fields]
    when = connection.ops.adapt_datetimefield_value(now)
    insert_rows(
        WeeklyReturn.history.model,
        [*tracked, "history_date", "history_change_reason", "history_type", "history_user"],
        [
            (*values, when, why, kind, user.pk)
            for kind, returns in (("+", new_returns), ("~", changed_returns))
            for values in prepared_rows(returns, tracked)
        ],
    )


def _count_writes(pairs, measure_ids):
    """(new (return id, measure id, count), changed (id, return, measure, count), removed)."""
    new_pairs, changed, removed = [], [], []
    for row, weekly_return in pairs:
        for code, value in row.counts.items():
            saved = row.saved_counts.get(code)
            if saved is None:
                if value is not None:
                    new_pairs.append((weekly_return.pk, measure_ids[code], value))
            elif value is None:
                removed.append((saved[0], weekly_return.pk, measure_ids[code], saved[1]))
            else:
                changed.append((saved[0], weekly_return.pk, measure_ids[code], value))
    return new_pairs, changed, removed


def _write_counts(pairs, user, why: str, now) -> None:
    measure_ids = dict(Measure.objects.values_list("code", "id"))
    new_pairs, changed, removed = _count_writes(pairs, measure_ids)
    count_fields = ["weekly_return", "measure", "count"]
    added = insert_rows_with_ids(WeeklyCount, count_fields, new_pairs)
    if added is None:
        insert_rows(WeeklyCount, count_fields, new_pairs)
        added = _counts_of_pairs(new_pairs)
    update_rows(WeeklyCount, ["count"], [WeeklyCount(id=i, count=c) for i, _, _, c in changed])
    for start in range(0, len(removed), 500):
        # _raw_delete: delete() would also write each history row again, one at a time.
        ids = [r[0] for r in removed[start : start + 500]]
        WeeklyCount.objects.filter(pk__in=ids)._raw_delete(connection.alias)
    when = connection.ops.adapt_datetimefield_value(now)
    insert_rows(
        WeeklyCount.history.model,
        COUNT_HISTORY_FIELDS,
        [
            (*count, when, why, kind, user.pk)
            for kind, counts in (("+", added), ("~", changed), ("-", removed))
            for count in counts
        ],
    )


def _counts_of_pairs(pairs: list[tuple[int, int, int]]) -> list[tuple[int, int, int, int]]:
    """(id, return id, measure id, count) of the counts just inserted for these pairs."""
    wanted = {(return_id, measure_id) for return_id, measure_id, _ in pairs}
    return_ids = sorted({return_id for return_id, _, _ in pairs})
    found = []
    for start in range(0, len(return_ids), 500):
        rows = WeeklyCount.objects.filter(
            weekly_return_id__in=return_ids[start : start + 500]
        ).values_list("id", "weekly_return_id", "measure_id", "count")
        found.extend(r for r in rows if (r[1], r[2]) in wanted)
    return found
