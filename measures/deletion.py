"""Deleting a return is reversible for 90 days: the QI lead (or an admin) deletes it with a
reason, it leaves every chart, completeness page, export and API list at once, and the audit
page can restore it (`DeletedReturn` keeps its snapshot). Ward staff cannot delete."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from mhsip.freshness import charts_stale
from mhsip.text import clean_free_text
from wards.access import can_manage_ward, trusts_managed_by

from . import rules
from .errors import ConcurrentEditError, ReturnRefused
from .models import DeletedReturn, IncidentDate, WeeklyCount, WeeklyReturn
from .services import locked_return, saved_state

RETURN_FIELDS = ("beds", "occupied_bed_days", "status", "version", "submitted_by_id",
                 "submitted_at", "updated_by_id", "created_at")  # fmt: skip


def _snapshot(weekly_return: WeeklyReturn) -> dict:
    fields = {}
    for name in RETURN_FIELDS:
        value = getattr(weekly_return, name)
        fields[name] = value.isoformat() if isinstance(value, datetime.datetime) else value
    counts = []
    for count in weekly_return.counts.select_related("measure").prefetch_related("dates"):
        counts.append({
            "id": count.pk, "measure_id": count.measure_id, "code": count.measure.code,
            "count": count.count,
            "dates": [[d.pk, d.occurred_on.isoformat()] for d in count.dates.all()],
        })  # fmt: skip
    return {"return": fields, "counts": counts}


def _with_reason(row, reason: str):
    row._change_reason = reason
    return row


@transaction.atomic
def weekly_return_delete(*, weekly_return: WeeklyReturn, user, expected_version: int | None,
                         reason: str) -> DeletedReturn | None:  # fmt: skip
    """Delete a return and its counts, restorably: history keeps who, when and why, and
    `DeletedReturn` the snapshot to restore. The row is locked and its version checked under
    the lock, as for an update. Only those who manage the ward's trust may; a reason is
    always needed. None if it was deleted meanwhile (what the caller asked for)."""
    if not can_manage_ward(user, weekly_return.ward):
        raise PermissionDenied(rules.DELETE_ROLE_MESSAGE)
    locked = locked_return(weekly_return.ward, weekly_return.week_start)
    if locked is None:
        return None
    if rules.is_concurrent_edit(saved_state(locked, counts={}), expected_version):
        raise ConcurrentEditError(locked)
    reason = clean_free_text(reason)[:100]
    if not reason:
        raise ReturnRefused({"reason": rules.DELETE_REASON_MESSAGE})
    deleted = DeletedReturn(
        return_id=locked.pk, ward=locked.ward, week_start=locked.week_start,
        snapshot=_snapshot(locked), deleted_at=timezone.now(), deleted_by=user,
        delete_reason=reason,
    )  # fmt: skip
    # A return deleted, restored and deleted again keeps one (the latest) snapshot.
    DeletedReturn.objects.filter(return_id=locked.pk).delete()
    deleted.save()
    for count in locked.counts.prefetch_related("dates"):
        for day in count.dates.all():
            _with_reason(day, reason).delete()
        _with_reason(count, reason).delete()
    _with_reason(locked, reason).delete()
    charts_stale(ward_ids=[locked.ward_id])
    return deleted


def deleted_returns_for_user(user):
    """The restorable returns of the trusts the user manages, newest first."""
    return DeletedReturn.objects.filter(ward__trust__in=trusts_managed_by(user)).select_related(
        "ward__trust", "deleted_by"
    )


@transaction.atomic
def weekly_return_restore(*, deleted: DeletedReturn, user) -> WeeklyReturn:
    """Put a deleted return back, with its counts and days and their old ids (their history
    carries on: "created" again, with the reason "Restored"). Refused when the week has a new
    return since."""
    if not can_manage_ward(user, deleted.ward):
        raise PermissionDenied(rules.DELETE_ROLE_MESSAGE)
    deleted = DeletedReturn.objects.select_for_update().filter(pk=deleted.pk).first()
    if deleted is None:
        raise ReturnRefused({"restore": "This return is already restored or purged."})
    if locked_return(deleted.ward, deleted.week_start) is not None:
        raise ReturnRefused({"restore": "This week has a new return since it was deleted: "
                             "change that one instead."})  # fmt: skip
    fields = dict(deleted.snapshot["return"])
    for name in ("submitted_at", "created_at"):
        fields[name] = parse_datetime(fields[name]) if fields[name] else None
    fields["version"] += 1  # a client holding the old version must re-read it
    reason = f"Restored (deleted {deleted.deleted_at:%d %b %Y}: {deleted.delete_reason})"[:100]
    weekly_return = _with_reason(
        WeeklyReturn(pk=deleted.return_id, ward=deleted.ward, week_start=deleted.week_start,
                     **fields), reason)  # fmt: skip
    weekly_return.updated_by = user
    weekly_return.save(force_insert=True)
    for item in deleted.snapshot["counts"]:
        count = _with_reason(WeeklyCount(pk=item["id"], weekly_return=weekly_return,
                                         measure_id=item["measure_id"], count=item["count"]),
                             reason)  # fmt: skip
        count.save(force_insert=True)
        for pk, day in item["dates"]:
            _with_reason(IncidentDate(pk=pk, count=count,
                                      occurred_on=datetime.date.fromisoformat(day)),
                         reason).save(force_insert=True)  # fmt: skip
    deleted.delete()
    charts_stale(ward_ids=[weekly_return.ward_id])
    return weekly_return


def deleted_returns_purge(*, now=None) -> int:
    """Forget deleted returns older than 90 days (beat, daily); their history stays."""
    cutoff = (now or timezone.now()) - rules.RESTORABLE_FOR
    purged, _ = DeletedReturn.objects.filter(deleted_at__lt=cutoff).delete()
    return purged
