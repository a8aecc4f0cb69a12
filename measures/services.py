"""Writes that matter. Forms, the API and the importer all record returns through here."""

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dateformat, timezone

from spc.services import charts_refresh_on_commit
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
    if errors:
        raise ValidationError(errors)


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
) -> WeeklyReturn:
    """Create or update one ward-week return and its counts.

    `counts` maps measure codes to a count, or to None for *missing* (the row is removed: a
    blank is never a zero). Codes not named keep their saved value. `expected_version` is the
    version the caller read; if the return moved on since, `ConcurrentEditError` is raised and
    nothing is written.
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
    else:
        if expected_version is not None and weekly_return.version != expected_version:
            raise ConcurrentEditError(weekly_return)
        if beds:
            weekly_return.beds = beds
        saved = {c.measure.code: c for c in weekly_return.counts.select_related("measure")}

    merged = {code: row.count for code, row in saved.items()}
    merged.update(clean_counts)
    merged = {code: value for code, value in merged.items() if value is not None}
    _validate_return_rules(merged, measures, occupied_bed_days)

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
    weekly_return.save()

    for code, value in clean_counts.items():
        row = saved.get(code)
        if value is None:
            if row is not None:
                row.delete()
        elif row is None:
            WeeklyCount.objects.create(
                weekly_return=weekly_return, measure=measures[code], count=value
            )
        elif row.count != value:
            row.count = value
            row.save(update_fields=["count"])
    charts_refresh_on_commit(ward_ids=[ward.pk])
    return weekly_return
