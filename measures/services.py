"""Writes that matter. Forms, the API and the importer all record returns through here."""

import datetime
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import dateformat, timezone

from mhsip.bulk import insert_rows, insert_rows_with_ids, prepared_rows, update_rows
from mhsip.freshness import charts_stale
from wards.models import Ward

from .models import Measure, WeeklyCount, WeeklyReturn


class ConcurrentEditError(Exception):
    """The return changed since the caller read it; their values must not overwrite it."""

    def __init__(self, weekly_return: WeeklyReturn):
        self.weekly_return = weekly_return
        who = weekly_return.updated_by or "someone else"
        when = timezone.localtime(weekly_return.updated_at).strftime("%H:%M on %d %B %Y")
        super().__init__(
            f"This return was changed by {who} at {when} while you were editing it. "
            "Your values are kept below: check them against the saved return and save again."
        )


class ImplausibleCountError(ValidationError):
    """Counts far above what the ward could plausibly have: saved only once the user confirms.

    A `ValidationError`, so a caller that does not ask for confirmation refuses the save."""


# A submitted return edited this long after its week ended needs a reason, kept in history.
LATE_EDIT_AFTER = datetime.timedelta(weeks=4)


def implausible_count_bound(*, beds: int, occupied_bed_days: int | None) -> float:
    """The highest count that is plausible for one measure in one ward-week."""
    bed_days = occupied_bed_days if occupied_bed_days else beds * 7
    return settings.MHSIP_IMPLAUSIBLE_PER_1000_BED_DAYS * bed_days / 1000


def implausible_count_errors(
    *, counts: Mapping[str, int], measures: Mapping[str, Measure], bound: float
) -> dict[str, str]:
    return {
        code: (
            f"{measures[code].name}: {value} is more than expected for this ward "
            f"(about {int(bound)} at most for its bed days). Check the count, or confirm it."
        )
        for code, value in counts.items()
        if value is not None and value > bound
    }


def late_edit_needs_reason(weekly_return: WeeklyReturn, today: datetime.date | None = None) -> bool:
    """A submitted return whose week ended more than 4 weeks ago is changed only with a reason."""
    today = today or timezone.localdate()
    return (
        weekly_return.pk is not None
        and weekly_return.status == WeeklyReturn.Status.SUBMITTED
        and today > weekly_return.week_end + LATE_EDIT_AFTER
    )


def _validate_counts(counts: Mapping[str, object], measures: dict[str, Measure]) -> dict:
    errors = {}
    clean = {}
    for code, value in counts.items():
        if code not in measures:
            errors[code] = f"Unknown measure code {code!r}."
            continue
        if value is None:
            clean[code] = None
        elif isinstance(value, bool) or not isinstance(value, int):
            errors[code] = f"{measures[code].name}: enter a whole number, like 0 or 3."
        elif value < 0:
            errors[code] = f"{measures[code].name}: a count cannot be negative."
        else:
            clean[code] = value
    if errors:
        raise ValidationError(errors)
    return clean


def _validate_return_rules(merged: dict[str, int], measures, occupied_bed_days) -> None:
    errors = return_rule_errors(
        counts=merged, measures=measures, occupied_bed_days=occupied_bed_days
    )
    if errors:
        raise ValidationError(errors)


def return_rule_errors(
    *, counts: Mapping[str, int], measures: Mapping[str, Measure], occupied_bed_days
) -> dict[str, str]:
    """Rules across the fields of one return (its saved and new counts merged)."""
    merged = counts
    errors = {}
    for code, value in merged.items():
        parent = measures[code].parent
        if parent is not None and parent.code in merged and value > merged[parent.code]:
            errors[code] = (
                f"{measures[code].name} ({value}) cannot be more than "
                f"{parent.name.lower()} ({merged[parent.code]}): each one is also counted there."
            )
    if occupied_bed_days == 0 and any(merged.values()):
        errors["occupied_bed_days"] = (
            "Occupied bed days cannot be 0 when incidents are recorded: "
            "enter the bed days or correct the counts."
        )
    return errors


@transaction.atomic
def weekly_return_record(
    *,
    ward: Ward,
    week_start: datetime.date,
    user,
    counts: Mapping[str, int | None],
    occupied_bed_days: int | None,
    beds: int | None = None,
    submit: bool = False,
    expected_version: int | None = None,
    reason: str = "",
    confirm_implausible: bool = False,
) -> WeeklyReturn:
    """Create or update one ward-week return and its counts.

    `counts` maps measure codes to a count, or to None for *missing* (the row is removed: a
    blank is never a zero). Codes not named keep their saved value. `expected_version` is the
    version the caller read (0: the caller saw no return yet); if the return moved on since,
    `ConcurrentEditError` is raised and nothing is written.

    Changing a submitted return more than 4 weeks after its week ended needs a `reason`, kept
    in the history. Counts above the plausible bound for the ward raise `ImplausibleCountError`
    unless `confirm_implausible`.
    """
    measures = {m.code: m for m in Measure.objects.select_related("parent")}
    clean_counts = _validate_counts(counts, measures)

    weekly_return = (
        WeeklyReturn.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(ward=ward, week_start=week_start)
        .first()
    )
    if weekly_return is None:
        weekly_return = WeeklyReturn(ward=ward, week_start=week_start, beds=beds or ward.beds)
        saved = {}
        late = False
    else:
        if expected_version is not None and weekly_return.version != expected_version:
            raise ConcurrentEditError(weekly_return)
        late = late_edit_needs_reason(weekly_return)
        before = (weekly_return.beds, weekly_return.occupied_bed_days)
        if beds:
            weekly_return.beds = beds
        saved = {c.measure.code: c for c in weekly_return.counts.select_related("measure")}

    merged = {code: row.count for code, row in saved.items()}
    merged.update(clean_counts)
    merged = {code: value for code, value in merged.items() if value is not None}
    _validate_return_rules(merged, measures, occupied_bed_days)

    changed_counts = {
        code: value
        for code, value in clean_counts.items()
        if value != (saved[code].count if code in saved else None)
    }
    reason = (reason or "").strip()
    if late and not reason:
        unchanged = (
            not changed_counts
            and before == (weekly_return.beds, occupied_bed_days)
            and (not submit or weekly_return.status == WeeklyReturn.Status.SUBMITTED)
        )
        if not unchanged:
            raise ValidationError(
                {
                    "reason": "This return was submitted and its week ended more than 4 weeks "
                    "ago: say why you are changing it."
                }
            )

    if ward.active_to and week_start > ward.active_to:
        raise ValidationError(
            {
                "week_start": f"The ward closed on {dateformat.format(ward.active_to, 'j F Y')}; "
                "this week is after that."
            }
        )
    weekly_return.occupied_bed_days = occupied_bed_days
    weekly_return.updated_by = user
    if submit:
        if occupied_bed_days is None:
            raise ValidationError(
                {"occupied_bed_days": "Enter the occupied bed days before submitting."}
            )
        if weekly_return.status != WeeklyReturn.Status.SUBMITTED:
            weekly_return.submitted_by = user
            weekly_return.submitted_at = timezone.now()
        weekly_return.status = WeeklyReturn.Status.SUBMITTED
    if weekly_return.pk:
        weekly_return.version += 1
    weekly_return.full_clean(validate_unique=weekly_return.pk is None)
    if not confirm_implausible:
        bound = implausible_count_bound(
            beds=weekly_return.beds, occupied_bed_days=occupied_bed_days
        )
        implausible = implausible_count_errors(
            counts=changed_counts, measures=measures, bound=bound
        )
        if implausible:
            raise ImplausibleCountError(implausible)
    if reason:
        weekly_return._change_reason = reason
    creating = weekly_return.pk is None
    try:
        with transaction.atomic():  # a savepoint: the race below leaves the rest usable
            weekly_return.save()
    except IntegrityError:
        # Two people creating the same ward-week at once: the second insert waits for the
        # first to commit, then breaks the one-return-per-week constraint. That is a
        # concurrent edit (their values must not overwrite the other's), not a server error.
        existing = WeeklyReturn.objects.filter(ward=ward, week_start=week_start).first()
        if creating and existing is not None:
            raise ConcurrentEditError(existing) from None
        raise

    for code, value in clean_counts.items():
        row = saved.get(code)
        if row is not None and reason:
            row._change_reason = reason
        if value is None:
            if row is not None:
                row.delete()
        elif row is None:
            row = WeeklyCount(weekly_return=weekly_return, measure=measures[code], count=value)
            if reason:
                row._change_reason = reason
            row.save()
        elif row.count != value:
            row.count = value
            row.save(update_fields=["count"])
    charts_stale(ward_ids=[ward.pk])
    return weekly_return


class ImportRefused(ValidationError):
    """The file has row errors (or unconfirmed implausible counts): nothing was written."""

    def __init__(self, plan):
        self.plan = plan
        problems = plan.errors or plan.warnings
        super().__init__(f"{len(problems)} problem(s) in the file: nothing was imported.")


@transaction.atomic
def weekly_returns_import_commit(*, user, parsed, source: str, confirm_implausible: bool = False):
    """Write every row of an imported file, or nothing: one transaction, re-checked here.

    `parsed` is an `importing.ParsedFile`. Re-uploading a file already imported changes
    nothing (every row is unchanged). History records (who, when, "Imported from <file>") are
    written in bulk, as are the returns and counts. Returns the `ImportPlan` written."""
    # importing.py uses this module's validation rules, so it is imported here, not on top.
    from .importing import returns_import_plan

    plan = returns_import_plan(user=user, parsed=parsed, lock=True)
    if plan.errors or (plan.warnings and not confirm_implausible):
        raise ImportRefused(plan)

    now = timezone.now()
    reason = f"Imported from {source}"[:100]
    measure_ids = dict(Measure.objects.values_list("code", "id"))

    def stamp(weekly_return, row):
        if row.status == WeeklyReturn.Status.SUBMITTED and (
            weekly_return.status != WeeklyReturn.Status.SUBMITTED or not weekly_return.pk
        ):
            weekly_return.submitted_by = user
            weekly_return.submitted_at = now
        weekly_return.status = row.status
        weekly_return.beds = row.beds
        weekly_return.occupied_bed_days = row.occupied_bed_days
        weekly_return.updated_by = user
        weekly_return.updated_at = now

    creates = plan.rows_for("create")
    updates = plan.rows_for("update")
    new_returns = []
    for row in creates:
        weekly_return = WeeklyReturn(
            ward=row.ward, week_start=row.week_start, created_at=now, version=1
        )
        stamp(weekly_return, row)
        new_returns.append(weekly_return)
    changed_returns = []
    for row in updates:
        weekly_return = row.existing
        stamp(weekly_return, row)
        weekly_return.version += 1
        changed_returns.append(weekly_return)

    # A 50,000-row file is 50,000 returns and ~650,000 counts, each with a history row.
    # bulk_create / bulk_update (and simple_history's bulk_*_with_history on top of them)
    # spend about a minute building model instances and SQL for that; the plain multi-row
    # INSERTs and prepared UPDATEs below take seconds. The history rows are the ones
    # simple_history would write (same table, same fields, user, date and reason).
    return_fields = [
        "ward", "week_start", "beds", "occupied_bed_days", "status", "version",
        "submitted_by", "submitted_at", "updated_by", "created_at", "updated_at",
    ]  # fmt: skip
    insert_rows(WeeklyReturn, return_fields, prepared_rows(new_returns, return_fields))
    if new_returns:
        ids = {
            key[1:]: key[0]
            for key in WeeklyReturn.objects.filter(
                ward_id__in={r.ward_id for r in new_returns},
                week_start__range=(
                    min(r.week_start for r in new_returns),
                    max(r.week_start for r in new_returns),
                ),
            ).values_list("id", "ward_id", "week_start")
        }
        for weekly_return in new_returns:
            weekly_return.pk = ids[(weekly_return.ward_id, weekly_return.week_start)]
    update_rows(WeeklyReturn, return_fields[2:], changed_returns)
    tracked = [f.attname for f in WeeklyReturn.history.model.tracked_fields]
    when = connection.ops.adapt_datetimefield_value(now)
    insert_rows(
        WeeklyReturn.history.model,
        [*tracked, "history_date", "history_change_reason", "history_type", "history_user"],
        [
            (*values, when, reason, kind, user.pk)
            for kind, returns in (("+", new_returns), ("~", changed_returns))
            for values in prepared_rows(returns, tracked)
        ],
    )

    # Counts: ~13 per row, so ~650,000 rows (and as many history rows) for 50,000 rows of a
    # file. Model instances and bulk_create take about a minute for that; plain multi-row
    # INSERTs take seconds. The history rows are what simple_history itself would write.
    new_pairs, changed, removed = [], [], []
    for row, weekly_return in [
        *zip(creates, new_returns, strict=True),
        *zip(updates, changed_returns, strict=True),
    ]:
        for code, value in row.counts.items():
            saved = row.saved_counts.get(code)
            if saved is None:
                if value is not None:
                    new_pairs.append((weekly_return.pk, measure_ids[code], value))
            elif value is None:
                removed.append((saved[0], weekly_return.pk, measure_ids[code], saved[1]))
            else:
                changed.append((saved[0], weekly_return.pk, measure_ids[code], value))
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
    insert_rows(
        WeeklyCount.history.model,
        [
            "id", "weekly_return", "measure", "count",
            "history_date", "history_change_reason", "history_type", "history_user",
        ],
        [
            (*count, when, reason, kind, user.pk)
            for kind, counts in (("+", added), ("~", changed), ("-", removed))
            for count in counts
        ],
    )  # fmt: skip
    # One refresh for the whole file, of the wards it changed (bulk writes skip the per-row
    # service): ward charts first, then their trust, region and national charts.
    charts_stale(ward_ids={r.ward.pk for r in plan.rows if r.action != "unchanged"})
    return plan


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
