"""Which weeks each ward owes a return for, and which it has returned.

A week is *due* from the Monday the ward joined its (first) programme, and while the ward is
open, up to the last week that has ended. A ward in no programme owes nothing yet. A due week
not submitted is *overdue* only after its deadline, MHSIP_RETURN_DUE_HOURS after it ends
(Tuesday 10:00 for the week ending Sunday). "This week" on the ward home is the latest week
that has ended: the week in progress cannot be entered before its last day.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from mhsip.weeks import latest_complete_week, monday_of
from wards.models import Ward

from .models import WeeklyReturn

WEEK = datetime.timedelta(weeks=1)
NOT_STARTED = "not_started"
NOT_DUE = "not_due"
STATUS_LABELS = {
    WeeklyReturn.Status.SUBMITTED: "Submitted",
    WeeklyReturn.Status.DRAFT: "Draft",
    NOT_STARTED: "Not started",
    NOT_DUE: "Not due",
}


@dataclass(frozen=True)
class WeekStatus:
    week_start: datetime.date
    status: str  # submitted / draft / not_started / not_due
    due_by: datetime.datetime | None = None  # the deadline, while it has not passed

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)


@dataclass
class WardWeeks:
    ward: Ward
    first_due: datetime.date | None
    this_week: WeekStatus | None
    weeks: list[WeekStatus]  # oldest first

    @property
    def overdue(self) -> list[WeekStatus]:
        """Due weeks not submitted by their deadline, most recent first ("this week", the
        latest ended week, is shown on its own)."""
        this_week = self.this_week.week_start if self.this_week else None
        return [w for w in reversed(self.weeks) if w.status in (NOT_STARTED, "draft")
                and w.due_by is None and w.week_start != this_week]  # fmt: skip

    @property
    def this_week_overdue(self) -> bool:
        week = self.this_week
        return bool(week and week.status in (NOT_STARTED, "draft") and week.due_by is None
                    and _is_due(self.ward, self.first_due, week.week_start))  # fmt: skip

    @property
    def due(self) -> int:
        return sum(w.status != NOT_DUE for w in self.weeks)

    @property
    def submitted(self) -> int:
        return sum(w.status == WeeklyReturn.Status.SUBMITTED for w in self.weeks)

    @property
    def percent_complete(self) -> int | None:
        return round(100 * self.submitted / self.due) if self.due else None


def first_due_week(ward: Ward, joined_on: datetime.date | None) -> datetime.date | None:
    if joined_on is None:
        return None
    opened = monday_of(ward.active_from)
    if opened < ward.active_from:
        opened += WEEK  # a week the ward was open for only part of is not owed
    return max(monday_of(joined_on), opened)


def due_by(week_start: datetime.date) -> datetime.datetime:
    """When a week's return is due: MHSIP_RETURN_DUE_HOURS after the week ends."""
    ends = datetime.datetime.combine(week_start + WEEK, datetime.time())
    return timezone.make_aware(ends) + datetime.timedelta(hours=settings.MHSIP_RETURN_DUE_HOURS)


def _is_due(ward: Ward, first_due, week: datetime.date) -> bool:
    return (
        first_due is not None
        and week >= first_due
        and (ward.active_to is None or week <= ward.active_to)
    )


def ward_weeks(
    wards: Iterable[Ward],
    *,
    today: datetime.date,
    since: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> list[WardWeeks]:
    """Each ward's status for every week from `since` (default: its first due week) to the
    last complete week, which is also "this week". `now` (default: now, or the end of
    `today`) decides which deadlines have passed. Two queries for any number of wards."""
    wards = list(wards)
    last = latest_complete_week(today)
    current = monday_of(today)
    if now is None:
        now = timezone.localtime()
        if now.date() != today:
            now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(23, 59)))
    last_due_by = due_by(last)
    grace = last_due_by if now < last_due_by else None
    joined = dict(
        Ward.objects.filter(pk__in=[w.pk for w in wards])
        .annotate(joined=Min("enrolments__joined_on"))
        .values_list("pk", "joined")
    )
    first_due = {w.pk: first_due_week(w, joined.get(w.pk)) for w in wards}
    starts = [since] if since else [d for d in first_due.values() if d]
    earliest = min(starts, default=current)
    statuses = {
        (ward_id, week): status
        for ward_id, week, status in WeeklyReturn.objects.filter(
            ward__in=wards, week_start__gte=earliest
        ).values_list("ward_id", "week_start", "status")
    }
    result = []
    for ward in wards:
        due_from = first_due[ward.pk]
        start = since or due_from
        weeks = []
        if start is not None:
            week = start
            while week <= last:
                status = statuses.get((ward.pk, week))
                if status is None:
                    status = NOT_STARTED if _is_due(ward, due_from, week) else NOT_DUE
                weeks.append(WeekStatus(week, status, grace if week == last else None))
                week += WEEK
        this_week = None
        if ward.is_active_on(last) or ward.is_active_on(current - datetime.timedelta(days=1)):
            this_week = WeekStatus(last, statuses.get((ward.pk, last), NOT_STARTED), grace)
        result.append(WardWeeks(ward=ward, first_due=due_from, this_week=this_week, weeks=weeks))
    return result


def completeness_weeks(today: datetime.date, count: int = 26) -> list[datetime.date]:
    last = latest_complete_week(today)
    return [last - WEEK * (count - 1 - i) for i in range(count)]


def submitted_share_by_trust(
    wards: Iterable[Ward], *, first: datetime.date, last: datetime.date
) -> dict[int, int | None]:
    """Per trust, the percentage of due ward-weeks from `first` to `last` with a submitted
    return: what `ward_weeks` would add up, in two queries and without a row per week."""
    wards = list(
        Ward.objects.filter(pk__in=[w.pk for w in wards]).annotate(
            joined=Min("enrolments__joined_on")
        )
    )
    spans = {}
    for ward in wards:
        due_from = first_due_week(ward, ward.joined)
        if due_from is None:
            continue
        start = max(due_from, first)
        end = last if ward.active_to is None else min(last, monday_of(ward.active_to))
        if end >= start:
            spans[ward.pk] = (ward.trust_id, start, end)
    due, submitted = {}, {}
    for trust_id, start, end in spans.values():
        due[trust_id] = due.get(trust_id, 0) + (end - start).days // 7 + 1
        submitted.setdefault(trust_id, 0)
    for ward_id, week in WeeklyReturn.objects.filter(
        ward_id__in=list(spans),
        status=WeeklyReturn.Status.SUBMITTED,
        week_start__range=(first, last),
    ).values_list("ward_id", "week_start"):
        trust_id, start, end = spans[ward_id]
        if start <= week <= end:
            submitted[trust_id] += 1
    return {t: round(100 * submitted[t] / due[t]) for t in due}
