"""Writes of one return. The form and the API record and delete returns through here; the file
import and the bulk API write many at once through `import_commit.py`. Every rule is
`measures.rules`; this module locks, checks, writes and tells the charts."""

import datetime
from collections import Counter
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from mhsip.freshness import charts_stale
from wards.models import Ward

from . import rules
from .errors import ConcurrentEditError, ImplausibleCountError, ReturnRefused
from .models import IncidentDate, ReturnImport, WeeklyCount, WeeklyReturn, WeeklyValue
from .selectors import local_measure_scopes, measures_by_code, measures_required


def saved_dates(weekly_return: WeeklyReturn) -> dict[str, tuple[datetime.date, ...]]:
    """The days of the return's dated incidents by measure code, sorted."""
    dates = {}
    rows = IncidentDate.objects.filter(count__weekly_return=weekly_return).order_by("occurred_on")
    for code, day in rows.values_list("count__measure__code", "occurred_on"):
        dates.setdefault(code, []).append(day)
    return {code: tuple(days) for code, days in dates.items()}


def saved_values(weekly_return: WeeklyReturn) -> dict:
    """The return's proportions, durations and scores by measure code (rules' typed values)."""
    return {row.measure.code: row.typed for row in weekly_return.values.select_related("measure")}


def saved_state(weekly_return: WeeklyReturn | None, counts: Mapping[str, int] | None = None,
                dates: Mapping[str, tuple] | None = None):  # fmt: skip
    """The rules' view of a saved return (`counts`, `dates` and figures by measure code): all
    are read when `counts` is omitted; given `counts`, `dates` are what the caller says (none)."""
    if weekly_return is None or weekly_return.pk is None:
        return None
    values = {}
    if counts is None:
        counts = dict(weekly_return.counts.values_list("measure__code", "count"))
        dates = saved_dates(weekly_return)
        values = saved_values(weekly_return)
    return rules.SavedReturn(
        status=weekly_return.status,
        beds=weekly_return.beds,
        occupied_bed_days=weekly_return.occupied_bed_days,
        version=weekly_return.version,
        counts=counts,
        dates=dates or {},
        not_collected=frozenset(weekly_return.not_collected or ()),
        values=values,
    )


def late_edit_needs_reason(weekly_return: WeeklyReturn, today: datetime.date | None = None):
    """Whether changing this saved return needs a reason (rules.is_late)."""
    return rules.is_late(
        saved_state(weekly_return, counts={}), weekly_return.week_start,
        today or timezone.localdate(),
    )  # fmt: skip


def implausible_bound(*, beds: int, occupied_bed_days: int | None) -> float:
    return rules.implausible_bound(
        beds=beds,
        occupied_bed_days=occupied_bed_days,
        per_1000=settings.MHSIP_IMPLAUSIBLE_PER_1000_BED_DAYS,
    )


def locked_return(ward: Ward, week_start: datetime.date) -> WeeklyReturn | None:
    return (
        WeeklyReturn.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(ward=ward, week_start=week_start)
        .first()
    )


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
    incident_dates: Mapping[str, Sequence[datetime.date]] | None = None,
    not_collected: Sequence[str] | None = None,
    confirm_unfinished: bool = False,
    values: Mapping | None = None,
) -> WeeklyReturn:
    """Create or update one ward-week return, its counts and the days of their incidents.
    `values`: its proportions (`rules.Proportion`), durations and scores (Decimal) by code,
    None removing one, as for counts.

    `counts` maps measure codes to a count, or to None for *missing* (the row is removed: a
    blank is never a zero). Codes not named keep their saved value. `incident_dates` maps
    codes to the day of each incident (at most the count; an empty list removes them); codes
    not named keep their saved days, which must still fit a changed count (else the change is
    refused, never trimmed); a removed count takes its days with it. `expected_version` is
    the version the caller read (0: the caller saw no return yet); if the return moved on
    since, `ConcurrentEditError` is raised and nothing is written. A submitted return stays
    submitted. Broken rules raise `ReturnRefused` with every error at once; counts above the
    plausible bound raise `ImplausibleCountError` unless `confirm_implausible`.
    `not_collected`: codes the ward did not collect this week (no count: missing, but an
    answer); codes not named keep their saved state unless given a count. A submitted return
    answers every measure of the ward (`rules.answer_errors`).
    """
    incident_dates, values = incident_dates or {}, values or {}
    # A code not collected has no count or figure: any saved one goes (history keeps it).
    counts = {**dict.fromkeys(not_collected or ()), **counts}
    values = {**dict.fromkeys(not_collected or ()), **values}
    measures = measures_by_code()
    weekly_return = locked_return(ward, week_start)
    saved = saved_state(weekly_return)
    if weekly_return is not None and rules.is_concurrent_edit(saved, expected_version):
        raise ConcurrentEditError(weekly_return)
    beds = beds or (saved.beds if saved else ward.beds)
    was_submitted = saved is not None and saved.status == rules.SUBMITTED
    status = rules.SUBMITTED if submit or was_submitted else rules.DRAFT
    reason = (reason or "").strip()
    errors = rules.return_errors(
        ward=ward, week_start=week_start, today=timezone.localdate(), beds=beds,
        occupied_bed_days=occupied_bed_days, status=status, counts=counts, measures=measures,
        saved=saved, reason=reason, incident_dates=incident_dates,
        not_collected=not_collected, required=measures_required([ward])[ward.pk],
        confirm_unfinished=confirm_unfinished,
        values=values, local_scopes=local_measure_scopes(),
    )  # fmt: skip
    if errors:
        raise ReturnRefused(errors)
    saved_counts = saved.counts if saved else {}
    changed = {code: v for code, v in counts.items() if v != saved_counts.get(code)}
    if not confirm_implausible:
        bound = implausible_bound(beds=beds, occupied_bed_days=occupied_bed_days)
        implausible = rules.implausible_counts(counts=changed, measures=measures, bound=bound)
        if implausible:
            raise ImplausibleCountError(implausible)

    weekly_return = weekly_return or WeeklyReturn(ward=ward, week_start=week_start)
    if status == rules.SUBMITTED and not was_submitted:
        weekly_return.submitted_by = user
        weekly_return.submitted_at = timezone.now()
    weekly_return.beds = beds
    weekly_return.occupied_bed_days = occupied_bed_days
    weekly_return.status = status
    weekly_return.not_collected = sorted(rules.merged_not_collected(saved, counts, not_collected))
    weekly_return.updated_by = user
    if weekly_return.pk:
        weekly_return.version += 1
    if reason:
        weekly_return._change_reason = reason
    _save_return(weekly_return)
    _write_counts(weekly_return, changed, measures, reason)
    _write_dates(weekly_return, incident_dates, saved.dates if saved else {}, reason)
    _write_values(weekly_return, values, saved.values if saved else {}, measures, reason)
    charts_stale(ward_ids=[ward.pk])
    return weekly_return


def _save_return(weekly_return: WeeklyReturn) -> None:
    creating = weekly_return.pk is None
    try:
        with transaction.atomic():  # a savepoint: the race below leaves the rest usable
            weekly_return.save()
    except IntegrityError:
        # Two people creating the same ward-week at once: the second insert waits for the
        # first to commit, then breaks the one-return-per-week constraint. That is a
        # concurrent edit (their values must not overwrite the other's), not a server error.
        existing = WeeklyReturn.objects.filter(
            ward_id=weekly_return.ward_id, week_start=weekly_return.week_start
        ).first()
        if creating and existing is not None:
            raise ConcurrentEditError(existing) from None
        raise


def _write_counts(weekly_return, changed: Mapping[str, int | None], measures, reason) -> None:
    rows = {
        c.measure.code: c for c in weekly_return.counts.select_related("measure")
    } if changed else {}  # fmt: skip
    for code, value in changed.items():
        row = rows.get(code)
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
        else:
            row.count = value
            row.save(update_fields=["count"])


def _write_values(weekly_return, values: Mapping, saved: Mapping, measures, reason) -> None:
    """Write the figures that changed (None removes one), each with its history."""
    changed = {code: v for code, v in values.items() if v != saved.get(code)}
    if not changed:
        return
    rows = {v.measure.code: v for v in weekly_return.values.select_related("measure")}
    for code, value in changed.items():
        row = rows.get(code) or WeeklyValue(weekly_return=weekly_return, measure=measures[code])
        if reason:
            row._change_reason = reason
        if value is None:
            if row.pk:
                row.delete()
            continue
        proportion = isinstance(value, rules.Proportion)
        row.numerator = value.numerator if proportion else None
        row.denominator = value.denominator if proportion else None
        row.value = None if proportion else rules.as_decimal(value)
        row.save()


def _write_dates(weekly_return, dates: Mapping[str, Sequence[datetime.date]],
                 saved: Mapping[str, tuple], reason: str) -> None:  # fmt: skip
    """Replace the days of the codes named: a day kept stays the same row (its history shows
    no change), a day dropped is deleted and a day added is created, each with history."""
    changed = {code: sorted(days) for code, days in dates.items()
               if tuple(sorted(days)) != saved.get(code, ())}  # fmt: skip
    if not changed:
        return
    counts = {c.measure.code: c for c in weekly_return.counts.select_related("measure")
              .filter(measure__code__in=changed)}  # fmt: skip
    rows = IncidentDate.objects.filter(count__in=counts.values()).select_related("count__measure")
    existing = {}
    for row in rows.order_by("occurred_on", "pk"):
        existing.setdefault(row.count.measure.code, []).append(row)
    for code, days in changed.items():
        wanted = Counter(days)
        for row in existing.get(code, []):
            if wanted[row.occurred_on] > 0:
                wanted[row.occurred_on] -= 1
                continue
            if reason:
                row._change_reason = reason
            row.delete()
        for day in sorted(wanted.elements()):
            row = IncidentDate(count=counts[code], occurred_on=day)
            if reason:
                row._change_reason = reason
            row.full_clean(exclude=["count"])
            row.save()


# An upload not committed or cancelled within this time is deleted (with its rows).
UPLOAD_KEPT_FOR = datetime.timedelta(hours=24)


def return_imports_purge(*, now=None) -> int:
    """Delete uploads older than 24 hours: beat runs it hourly, and every upload runs it too
    (so the embedded default, without beat, purges as well). Returns how many went."""
    cutoff = (now or timezone.now()) - UPLOAD_KEPT_FOR
    deleted, _ = ReturnImport.objects.filter(created_at__lt=cutoff).delete()
    return deleted
