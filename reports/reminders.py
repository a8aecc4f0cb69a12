"""Reminders of missing weekly returns: at the trust's first reminder hour (default Tuesday
10:00) to the ward staff of each ward whose return for the week that ended on Sunday is not
submitted; at the second (two days later by default) to them again and to the trust's QI
leads, with every ward still missing. Each message is made once (its key)."""

import datetime
from collections import defaultdict

from django.urls import reverse

from measures import completeness
from mhsip.weeks import latest_complete_week
from wards.models import Membership, Trust

from . import mail, schedules
from .models import Kind

Role = Membership.Role
MISSING = (completeness.NOT_STARTED, "draft")


def missing_wards(trust, week: datetime.date) -> list:
    """The trust's wards that owe a return for `week` and have not submitted it."""
    rows = completeness.ward_weeks(list(trust.wards.all()), today=week + datetime.timedelta(7),
                                   since=week)  # fmt: skip
    return [r.ward for r in rows if r.weeks and r.weeks[-1].status in MISSING]


def _entry_link(ward, week) -> str:
    return mail.site_url(reverse("measures:weekly-entry", args=[ward.pk, week.isoformat()]))


def _staff_by_user(wards) -> dict:
    people = defaultdict(list)
    for m in Membership.objects.filter(role=Role.WARD_STAFF, ward__in=wards).select_related(
        "user", "ward"
    ):
        if m.user.is_active:
            people[m.user].append(m.ward)
    return people


def _staff_body(wards, week, round_) -> str:
    again = "still " if round_ == 2 else ""
    lines = [f"The weekly return for the week of {week:%-d %B %Y} (Monday to Sunday) is {again}"
             "missing for:", ""]  # fmt: skip
    lines += [f"- {w.name}: {_entry_link(w, week)}" for w in wards]
    lines += ["", "A blank count is a missing count, never a zero: use \"None this week\" for a "
              "real 0."]  # fmt: skip
    return "\n".join(lines)


def _lead_body(wards, week, staffed) -> str:
    lines = [f"Second reminder: these wards of your trust have still not submitted the return "
             f"for the week of {week:%-d %B %Y}:", ""]  # fmt: skip
    for w in wards:
        who = "reminded ward staff" if w in staffed else "no ward staff to remind"
        lines.append(f"- {w.name} ({who}): {_entry_link(w, week)}")
    return "\n".join(lines)


def trust_reminders(trust, week: datetime.date, round_: int) -> list:
    """Make this round's reminders of one trust; the messages made (none twice)."""
    wards = missing_wards(trust, week)
    if not wards:
        return []
    made = []
    subject = (f"{'Second reminder: ' if round_ == 2 else ''}weekly return missing for "
               f"w/c {week:%-d %b %Y}")  # fmt: skip
    people = _staff_by_user(wards)
    for user, own in people.items():
        made.append(mail.message_create(
            kind=Kind.REMINDER, key=f"reminder{round_}:{trust.pk}:{week}:{user.pk}", user=user,
            subject=subject, body=_staff_body(own, week, round_), trust=trust,
        ))  # fmt: skip
    if round_ == 2:
        staffed = {w for own in people.values() for w in own}
        for m in Membership.objects.filter(role=Role.QI_LEAD, trust=trust, user__is_active=True):
            made.append(mail.message_create(
                kind=Kind.REMINDER, key=f"reminder2-lead:{trust.pk}:{week}:{m.user_id}",
                user=m.user, subject=f"Copy: {subject} ({len(wards)} wards)",
                body=_lead_body(wards, week, staffed), trust=trust,
            ))  # fmt: skip
    return [m for m in made if m is not None]


def reminders_prepare(*, now: datetime.datetime | None = None, force: int | None = None) -> list:
    """Every reminder due this hour (or, with `force` = 1 or 2, that round for every trust
    now: the management command); the queued messages' ids."""
    ids = []
    for trust in Trust.objects.order_by("pk"):
        schedule = schedules.schedule_for(trust)
        round_ = force or schedules.reminder_round(schedule, now)
        if round_ is None:
            continue
        if force:
            week = latest_complete_week(schedules.local(now).date())
        else:
            week = schedules.reminder_week(schedule, now, round_)
        ids += [m.pk for m in trust_reminders(trust, week, round_)
                if m.status == m.Status.QUEUED]  # fmt: skip
    return ids
