"""Every rule of a weekly return and its counts, in one place.

Pure functions: typed values, the ward and the saved state in; `{field: message}` out (a field
is `week_start`, `beds`, `occupied_bed_days`, `status`, `reason`, a measure code, or
`incident_dates.<code>` for the days of a measure's incidents). The return form, the file
importer, the API (one return and bulk) and the write services all call these, and nothing
else decides a rule; the database constraints back them up (`models.py`). The rules of
proportions, durations, scores and composites are in value_rules.py, re-exported here.
Nothing here touches the database: callers pass in the ward, measures (parents loaded), saved.
"""

import datetime
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils import dateformat

from mhsip.weeks import MONDAY_MESSAGE, date_range_error, is_monday, week_end

# The rules of change ideas and their PDSA cycles live beside these, in one module of their own.
from . import pdsa_rules  # noqa: F401

# Every measure answered (a count, none, or not collected): rules_answers.py, re-exported.
from .rules_answers import (  # noqa: F401
    NOT_COLLECTED,
    NOT_COLLECTED_LABEL,
    answer_errors,
    merged_not_collected,
)

# The days of incidents have their rules in rules_dates.py; every one is re-exported here.
from .rules_dates import (  # noqa: F401
    DATES_FIELD,
    dates_complete,
    dates_key,
    incident_date_error,
    incident_dates_errors,
    merged_dates,
)

# Local measures and plausible counts: rules_fit.py, re-exported here.
from .rules_fit import (  # noqa: F401
    DAYS_IN_WEEK,
    LocalScope,
    implausible_bound,
    implausible_counts,
    local_measure_errors,
    with_local_measure_errors,
)

# A programme's target on a measure has its rules in measures/targets.py (pure, like these).
from .targets import target_errors as target_errors
from .value_rules import (  # noqa: F401  re-exported: every rule is found here
    COMPOSITE,
    COUNT,
    DURATION,
    PROPORTION,
    SCORE,
    VALUE_TYPES,
    Proportion,
    as_decimal,
    composite_errors,
    composite_value,
    count_type_errors,
    duration_limit,
    measure_definition_errors,
    merged_values,
    number_text,
    value_errors,
    value_text,
    value_type,
    values_change,
)

SUBMITTED = "submitted"  # WeeklyReturn.Status values
DRAFT = "draft"
STATUSES = (SUBMITTED, DRAFT)

# No inpatient ward has this many beds; the column (smallint) could not hold much more.
MAX_BEDS = 999
# Far beyond any ward's week: a number this large is a typing slip, not a count.
MAX_COUNT = 100_000
# A submitted return edited this long after its week ended needs a reason, kept in history.
LATE_EDIT_AFTER = datetime.timedelta(weeks=4)

BED_DAYS_MESSAGE = "Occupied bed days cannot be more than the beds open × 7."
LATE_REASON_MESSAGE = (
    "This return was submitted and its week ended more than 4 weeks ago: say why you are "
    "changing it."
)
DELETE_REASON_MESSAGE = "Say why you are deleting this return (kept in its history)."
DELETE_ROLE_MESSAGE = "Only the trust's QI lead (or an admin) can delete a return."
# A deleted return can be restored for this long; then it is purged (its history stays).
RESTORABLE_FOR = datetime.timedelta(days=90)
DRAFT_OVER_SUBMITTED_MESSAGE = (
    "This week's return is submitted and stays submitted: it cannot be turned back into a "
    "draft. Leave the status blank (or 'submitted') to change its figures."
)


@dataclass(frozen=True)
class SavedReturn:
    """What is saved for a ward-week, as the rules need it."""

    status: str
    beds: int
    occupied_bed_days: int | None
    version: int
    counts: Mapping[str, int] = field(default_factory=dict)
    # Measure code -> the days of its dated incidents, sorted (a count may have none).
    dates: Mapping[str, tuple[datetime.date, ...]] = field(default_factory=dict)
    # Measure code -> its proportion (Proportion) or duration / score (Decimal).
    values: Mapping[str, object] = field(default_factory=dict)
    # The codes said to be not collected this week (no count: missing, but answered).
    not_collected: frozenset[str] = frozenset()


def _day(value: datetime.date) -> str:
    return dateformat.format(value, "j F Y")


def monday_error(week_start: datetime.date) -> str:
    """Weeks start on Monday (and are named by it)."""
    return "" if is_monday(week_start) else MONDAY_MESSAGE


def week_errors(*, ward, week_start: datetime.date, today: datetime.date) -> dict[str, str]:
    """A week is a Monday-to-Sunday week in the programme's range that has started, while the
    ward was open."""
    if message := monday_error(week_start):
        return {"week_start": message}
    if week_start > today:
        # Beyond the programme's range its Sunday may not even be a date (9999-12-27).
        if date_range_error(week_start, label="The week of", today=today):
            return {"week_start": f"The week of {_day(week_start)} is in the future, beyond "
                                  "the dates this programme can hold."}  # fmt: skip
        return {
            "week_start": f"The week of {_day(week_start)} is in the future: a week can be "
            f"entered from its last day, Sunday {_day(week_end(week_start))}."
        }
    if week_end(week_start) > today:
        # Its counts are not known until it ends: a week entered on its Tuesday looked
        # complete and was submitted with most of the week still to come.
        return {
            "week_start": f"The week of {_day(week_start)} has not finished: it opens for "
            f"entry on its last day, Sunday {_day(week_end(week_start))}."
        }
    if week_end(week_start) < ward.active_from:
        return {"week_start": f"{ward.name} opened on {_day(ward.active_from)}; this week is "
                              "before that."}  # fmt: skip
    # After the checks above, which name the more specific reason (in the future, before the
    # ward opened); this one catches a ward whose opening date is itself out of range.
    if message := date_range_error(week_start, label="The week of", today=today):
        return {"week_start": message}
    if ward.active_to and week_start > ward.active_to:
        return {"week_start": f"{ward.name} closed on {_day(ward.active_to)}; this week is "
                              "after that."}  # fmt: skip
    return {}


def unfinished_week_error(*, week_start: datetime.date, today: datetime.date, beds,
                          occupied_bed_days, status: str, confirmed: bool) -> str:  # fmt: skip
    """On the week's last day (it ends tonight) a submitted return with more bed days than six
    days hold counts a midnight still to come: it needs the user's confirmation."""
    if (status != SUBMITTED or confirmed or today != week_end(week_start) or beds is None
            or occupied_bed_days is None or occupied_bed_days <= beds * (DAYS_IN_WEEK - 1)):
        return ""  # fmt: skip
    return (
        f"This week ends tonight, and {occupied_bed_days} occupied bed days is more than 6 "
        f"days hold ({beds} × 6 = {beds * (DAYS_IN_WEEK - 1)}): tonight's midnight count is "
        "not known yet. Confirm the figure is final, or save a draft and submit tomorrow."
    )


def number_error(value, *, label: str, minimum: int = 0, maximum: int = MAX_COUNT) -> str:
    """'' when `value` is a whole number in range (or None: blank, which is missing)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{label}: enter a whole number, like 0 or 3."
    if value < minimum:
        return f"{label} cannot be negative." if minimum == 0 else (
            f"{label} must be at least {minimum}."
        )
    if value > maximum:
        return f"{label}: {value:,} is more than {maximum:,}, the most a ward can have in a week."
    return ""


def field_errors(*, beds, occupied_bed_days, counts: Mapping, measures: Mapping) -> dict:
    """Each figure on its own: whole numbers in range, known measures."""
    errors = {}
    message = number_error(beds, label="Beds open", minimum=1, maximum=MAX_BEDS)
    if message:
        errors["beds"] = message
    limit = MAX_BEDS * DAYS_IN_WEEK
    message = number_error(occupied_bed_days, label="Occupied bed days", maximum=limit)
    if message:
        errors["occupied_bed_days"] = message
    for code, value in counts.items():
        measure = measures.get(code)
        if measure is None:
            errors[code] = f"Unknown measure code {code!r}."
        elif message := number_error(value, label=measure.name):
            errors[code] = message
    return errors


def merged_counts(saved: SavedReturn | None, counts: Mapping[str, int | None]) -> dict:
    """The counts the return will hold: the saved ones, with these codes set (None removes)."""
    merged = dict(saved.counts) if saved else {}
    merged.update(counts)
    return {code: value for code, value in merged.items() if value is not None}


def cross_field_errors(*, beds: int | None, occupied_bed_days: int | None, status: str,
                       counts: Mapping[str, int], measures: Mapping) -> dict:  # fmt: skip
    """Rules across the figures of one return (`counts` = every count it will hold). `beds`
    None: not known to be valid, so the capacity rule waits for it."""
    errors = {}
    if beds is not None and occupied_bed_days is not None and (
        occupied_bed_days > beds * DAYS_IN_WEEK
    ):
        errors["occupied_bed_days"] = (
            f"{BED_DAYS_MESSAGE} This week that is {beds} × 7 = {beds * DAYS_IN_WEEK}."
        )
    elif occupied_bed_days == 0 and any(counts.values()):
        errors["occupied_bed_days"] = (
            "Occupied bed days cannot be 0 when incidents are recorded: enter the bed days or "
            "correct the counts."
        )
    elif status == SUBMITTED and occupied_bed_days is None:
        errors["occupied_bed_days"] = (
            "Enter the occupied bed days before submitting (a submitted return needs them)."
        )
    return errors | sub_measure_errors(counts=counts, measures=measures)


def sub_measure_errors(*, counts: Mapping[str, int], measures: Mapping) -> dict:
    """A sub-measure is never above its parent (prone ≤ physical restraint): each one is
    also counted there. Independent of the bed days, so it is found in the same round."""
    errors = {}
    for code, value in counts.items():
        parent = measures[code].parent
        if parent is not None and parent.code in counts and value > counts[parent.code]:
            errors[code] = (
                f"{measures[code].name} ({value}) cannot be more than {parent.name.lower()} "
                f"({counts[parent.code]}): each one is also counted there."
            )
    return errors


def status_error(saved: SavedReturn | None, status: str) -> str:
    if status not in STATUSES:
        return f"Status is 'submitted' or 'draft', not {status!r}."
    if saved is not None and saved.status == SUBMITTED and status == DRAFT:
        return DRAFT_OVER_SUBMITTED_MESSAGE
    return ""


def is_late(saved: SavedReturn | None, week_start: datetime.date, today: datetime.date) -> bool:
    """A submitted return whose week ended more than 4 weeks ago is changed only with a reason."""
    return (
        saved is not None
        and saved.status == SUBMITTED
        and today > week_end(week_start) + LATE_EDIT_AFTER
    )


def changes(saved: SavedReturn | None, *, beds, occupied_bed_days, status, counts,
            dates: Mapping[str, Sequence[datetime.date]] | None = None,
            not_collected: Collection[str] | None = None) -> bool:  # fmt: skip
    """Whether writing these values would change what is saved (`not_collected`: the codes
    the return will hold as not collected; None: unchanged)."""
    if saved is None:
        return True
    if not_collected is not None and frozenset(not_collected) != saved.not_collected:
        return True
    if (saved.beds, saved.occupied_bed_days, saved.status) != (beds, occupied_bed_days, status):
        return True
    if any(saved.counts.get(code) != value for code, value in counts.items()):
        return True
    return any(
        tuple(sorted(days)) != tuple(saved.dates.get(code, ()))
        for code, days in (dates or {}).items()
    )


def is_concurrent_edit(saved: SavedReturn | None, expected_version: int | None) -> bool:
    """The caller read version `expected_version` (0: no return yet; None: did not say)."""
    if expected_version is None:
        return False
    return (saved.version if saved else 0) != expected_version


def return_errors(
    *,
    ward,
    week_start: datetime.date,
    today: datetime.date,
    beds: int,
    occupied_bed_days: int | None,
    status: str,
    counts: Mapping[str, int | None],
    measures: Mapping,
    saved: SavedReturn | None,
    reason: str = "",
    incident_dates: Mapping[str, Sequence[datetime.date]] | None = None,
    not_collected: Collection[str] | None = None,
    required: Collection[str] | None = None,
    confirm_unfinished: bool = False,
    values: Mapping | None = None,
    local_scopes: Mapping[str, LocalScope] | None = None,
) -> dict[str, str]:
    """Every rule of one return in one round: the week, each figure, the figures together,
    the days of the incidents, the status, every measure answered, and a reason for a late
    change. `counts` are the codes being written (None removes a saved count); codes not
    named keep their saved value. `incident_dates` likewise: the codes named get these days
    (an empty list removes them), the others keep their saved days (which a removed count
    takes with it). `not_collected`: codes written as not collected (`merged_not_collected`);
    `required`: the codes a submitted return must answer (None: not checked).
    `confirm_unfinished`: the user confirmed a full week's bed days on its last day.
    `values`: the proportions, durations and scores being written, like counts
    (`value_errors`). `local_scopes`: who may write each local measure (None: not checked)."""
    errors = week_errors(ward=ward, week_start=week_start, today=today)
    figures = field_errors(
        beds=beds, occupied_bed_days=occupied_bed_days, counts=counts, measures=measures
    )
    figures |= count_type_errors(counts=counts, measures=measures)
    if values or (saved is not None and saved.values):
        # Saved figures too: a change of beds can put a saved duration over the week's cap.
        errors |= value_errors(
            values=merged_values(saved, values or {}), measures=measures,
            beds=None if "beds" in figures else beds,
        )  # fmt: skip
    errors |= figures
    if message := status_error(saved, status):
        errors["status"] = message
    # The rules across figures use the figures that are valid on their own, so every error
    # of a return is found in one round (never "fix these, then see the next").
    merged = merged_counts(saved, counts)
    valid_counts = {code: value for code, value in merged.items() if code not in errors}
    if "occupied_bed_days" not in errors:
        cross = cross_field_errors(
            beds=None if "beds" in errors else beds,
            occupied_bed_days=occupied_bed_days,
            status=status,
            counts=valid_counts,
            measures=measures,
        )
    else:  # bad bed days: the rules of the counts among themselves still apply
        cross = sub_measure_errors(counts=valid_counts, measures=measures)
    errors = cross | errors
    if "occupied_bed_days" not in errors and "beds" not in errors and (message := (
        unfinished_week_error(week_start=week_start, today=today, beds=beds, status=status,
                              occupied_bed_days=occupied_bed_days,
                              confirmed=confirm_unfinished))):  # fmt: skip
        errors["occupied_bed_days"] = message
    # A proportion, duration or score answers its measure as a count does (value_rules).
    figures_held = merged_values(saved, values or {})
    nc = merged_not_collected(saved, {**counts, **(values or {})}, not_collected)
    errors = answer_errors(status=status, counts={**merged, **figures_held}, not_collected=nc,
                           required=required or (), measures=measures) | errors  # fmt: skip
    if "week_start" not in errors:
        errors |= incident_dates_errors(
            ward=ward, week_start=week_start, today=today, measures=measures,
            counts={code: value for code, value in merged.items() if code not in figures},
            dates=merged_dates(saved, counts, incident_dates or {}),
            unknown_counts={code for code in counts if code in figures},
        )  # fmt: skip
    figures_now = {"beds": beds, "occupied_bed_days": occupied_bed_days, "status": status}
    if (is_late(saved, week_start, today) and not (reason or "").strip()
            and (changes(saved, counts=counts, dates=incident_dates, not_collected=nc,
                         **figures_now) or values_change(saved, values or {}))):  # fmt: skip
        errors["reason"] = LATE_REASON_MESSAGE
    if local_scopes:
        errors = with_local_measure_errors(
            errors, ward=ward, week_start=week_start, measures=measures, scopes=local_scopes,
            written=[*counts.items(), *(values or {}).items(), *(incident_dates or {}).items(),
                     *((code, True) for code in not_collected or ())],
        )  # fmt: skip
    return errors
