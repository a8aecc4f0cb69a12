"""Reads that span relations or feed pages. All ward scoping goes through wards.access."""

import bisect
import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import dateformat

from wards.access import wards_visible_to
from wards.models import Ward

from .models import IncidentDate, Measure, WeeklyCount, WeeklyReturn, WeeklyValue
from .models_targets import LocalMeasure
from .rules import LocalScope, Proportion, value_text


def measures_by_code() -> dict[str, Measure]:
    """Every measure of the catalogue by code, with its parent (the rules need both)."""
    return {m.code: m for m in Measure.objects.select_related("parent")}


def ward_list_for_user(user) -> QuerySet[Ward]:
    """The user's wards with their latest submitted week and the number of returns, one query."""
    return (
        wards_visible_to(user)
        .select_related("trust__region")
        .annotate(
            latest_submitted_week=Max(
                "returns__week_start",
                filter=Q(returns__status=WeeklyReturn.Status.SUBMITTED),
            ),
            return_count=Count("returns"),
        )
        .order_by("trust__region__name", "trust__name", "name")
    )


@dataclass(frozen=True)
class ReturnChange:
    when: datetime.datetime
    who: str
    what: str
    old: str
    new: str
    reason: str


def _shown(value) -> str:
    return "blank" if value is None or value == "" else str(value)


def weekly_return_history(weekly_return: WeeklyReturn) -> list[ReturnChange]:
    """Every change to a return and its counts (who, when, old → new, reason), newest first."""
    status_labels = dict(WeeklyReturn.Status.choices)
    changes = []
    previous = None
    records = weekly_return.history.select_related("history_user").order_by(
        "history_date", "history_id"
    )
    for record in records:
        who = str(record.history_user or "unknown")
        reason = record.history_change_reason or ""
        if previous is None:
            changes.append(
                ReturnChange(
                    record.history_date, who, "Return", "none",
                    f"started ({status_labels.get(record.status, record.status).lower()})",
                    reason,
                )
            )  # fmt: skip
            if record.occupied_bed_days is not None:
                changes.append(
                    ReturnChange(
                        record.history_date, who, "Occupied bed days", "blank",
                        str(record.occupied_bed_days), reason,
                    )
                )  # fmt: skip
        else:
            for field, label in RETURN_FIELDS:
                old, new = getattr(previous, field), getattr(record, field)
                if old != new:
                    if field == "status":
                        old, new = status_labels.get(old, old), status_labels.get(new, new)
                    changes.append(
                        ReturnChange(record.history_date, who, label, _shown(old), _shown(new),
                                     reason)
                    )  # fmt: skip
        previous = record

    names = dict(Measure.objects.values_list("pk", "name"))
    last_count = {}
    count_records = list(
        WeeklyCount.history.filter(weekly_return_id=weekly_return.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    saves = [record.history_date for record in records]
    changes += _date_changes(saves, {r.id: names.get(r.measure_id, "A measure")
                                     for r in count_records})  # fmt: skip
    for record in count_records:
        old = last_count.get(record.id)
        new = None if record.history_type == "-" else record.count
        last_count[record.id] = new
        if old == new:
            continue
        changes.append(
            ReturnChange(
                record.history_date,
                str(record.history_user or "unknown"),
                names.get(record.measure_id, "A measure"),
                _shown(old),
                _shown(new),
                record.history_change_reason or "",
            )
        )
    changes += _value_changes(weekly_return, names)
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes


def _value_changes(weekly_return, names: dict) -> list[ReturnChange]:
    """The history of the return's proportions, durations and scores ("3 of 4 → 4 of 4")."""
    changes, last = [], {}
    records = (WeeklyValue.history.filter(weekly_return_id=weekly_return.pk)
               .select_related("history_user").order_by("history_date", "history_id"))  # fmt: skip
    for record in records:
        old = last.get(record.id)
        new = None if record.history_type == "-" else value_text(
            record.value if record.value is not None
            else Proportion(record.numerator, record.denominator))  # fmt: skip
        last[record.id] = new
        if old != new:
            changes.append(ReturnChange(
                record.history_date, str(record.history_user or "unknown"),
                names.get(record.measure_id, "A measure"), _shown(old), _shown(new),
                record.history_change_reason or "",
            ))  # fmt: skip
    return changes


def _days(days: Counter) -> str:
    return ", ".join(dateformat.format(day, "j M") for day in sorted(days.elements())) or "none"


def _date_changes(saves: list[datetime.datetime], measure_of: dict[int, str]) -> list:
    """The incident days of a return's counts, one change per measure and save: "Seclusion
    dates: 3 Mar → 3 Mar, 5 Mar". A save writes the return (a history row), then its counts
    and days, so each day's history row belongs to the latest save at or before it."""
    records = (
        IncidentDate.history.filter(count_id__in=measure_of)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    held: dict[str, dict[int, datetime.date]] = {}  # measure -> {day's id: day}
    buckets: dict[tuple[int, str], list] = {}
    for record in records:
        save = max(0, bisect.bisect_right(saves, record.history_date) - 1)
        buckets.setdefault((save, measure_of[record.count_id]), []).append(record)
    changes = []
    for (_, measure), rows in sorted(buckets.items(), key=lambda item: item[1][0].history_date):
        days = held.setdefault(measure, {})
        before = Counter(days.values())
        for record in rows:
            if record.history_type == "-":
                days.pop(record.id, None)
            else:  # created, or changed in place (the admin)
                days[record.id] = record.occurred_on
        after = Counter(days.values())
        if after != before:
            last = rows[-1]
            changes.append(ReturnChange(
                last.history_date, str(last.history_user or "unknown"), f"{measure} dates",
                _days(before), _days(after), last.history_change_reason or "",
            ))  # fmt: skip
    return changes


RETURN_FIELDS = [
    ("status", "Status"),
    ("beds", "Beds open"),
    ("occupied_bed_days", "Occupied bed days"),
]


def measures_for_ward(ward: Ward) -> list:
    """The active measures a ward reports: those of the domains of its programmes (with their
    balancing measures), or the whole active national catalogue for a ward in no programme
    yet; then its trust's local measures it is enrolled in and that are not retired. Never a
    composite: it is worked out from its parts."""
    domains = set(Measure.objects.filter(programmes__wards=ward).values_list("domain", flat=True))
    measures = Measure.objects.filter(is_active=True, local__isnull=True).select_related(
        "parent").exclude(value_type=Measure.ValueType.COMPOSITE)  # fmt: skip
    if domains:
        measures = measures.filter(domain__in=domains)
    local = Measure.objects.filter(
        is_active=True, local__wards=ward, local__trust_id=ward.trust_id,
        local__retired_on__isnull=True,
    ).select_related("parent", "local")  # fmt: skip
    return [*measures.order_by("display_order", "name"), *local.order_by("display_order", "name")]


def local_measure_scopes() -> dict:
    """Local measure code -> who may write it (`rules.LocalScope`): its trust, enrolled wards
    and retirement. One query: a row per enrolled ward, one with no ward for a measure
    without any (a programme has tens of local measures, not thousands)."""
    found, wards = {}, {}
    for code, measure_id, trust_id, retired_on, ward_id in LocalMeasure.objects.values_list(
        "measure__code", "pk", "trust_id", "retired_on", "wards"
    ):  # fmt: skip
        found[code] = (measure_id, trust_id, retired_on)
        wards.setdefault(code, set())
        if ward_id is not None:
            wards[code].add(ward_id)
    return {
        code: LocalScope(measure_id=measure_id, trust_id=trust_id, retired_on=retired_on,
                         ward_ids=frozenset(wards[code]))
        for code, (measure_id, trust_id, retired_on) in found.items()
    }  # fmt: skip


def measures_required(wards) -> dict[int, list[str]]:
    """Ward id -> the codes a submitted return of the ward must answer: the active measures
    of its programmes' domains. A ward in no programme owes no return (completeness), so
    none. Two queries for any number of wards."""
    domains = {}
    for ward_id, domain in Measure.objects.filter(programmes__wards__in=wards).values_list(
        "programmes__wards", "domain"
    ).distinct():  # fmt: skip
        domains.setdefault(ward_id, set()).add(domain)
    # Counts only. A composite is worked out from its parts. A proportion, duration or score
    # may be left blank (missing) on a submitted return: a proportion has nothing to measure
    # in a week without its denominator (no restraint to debrief), and the surveys behind
    # the others are not run every week on every ward.
    active = list(Measure.objects.filter(is_active=True, value_type="count")
                  .values_list("code", "domain").order_by("display_order", "name"))  # fmt: skip
    return {
        ward.pk: [code for code, domain in active if domain in domains.get(ward.pk, ())]
        for ward in wards
    }


# The board packs' read of change ideas, with the other reads of ideas and cycles.
from .selectors_pdsa import change_ideas_for  # noqa: E402, F401
