"""The audit log's reads: who changed what and when, from django-simple-history.

Every change to returns and their counts, chart settings and phase breaks, change ideas and
their PDSA cycles, wards, memberships, API tokens and trusts' reminder times is a history row
(made by the model's `HistoricalRecords`, with the signed-in user from
`HistoryRequestMiddleware`). QI leads see the rows of their trust; admins see every row,
including API tokens (which belong to users, not trusts). The page only reads: history rows
are never changed through the app (GET only; no admin for historical models).
"""

import dataclasses
import datetime
from collections.abc import Callable

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import CharField, Q, QuerySet, Value

from measures.models import (
    ChangeIdea,
    IncidentDate,
    PdsaCycle,
    WeeklyCount,
    WeeklyReturn,
    WeeklyValue,
)
from measures.rules import Proportion, value_text
from reports.models import ReminderSchedule
from spc.models import ChartSetting, PhaseBreak
from tokens.models import ApiToken
from wards.access import is_admin, trusts_managed_by
from wards.models import Membership, Trust, Ward

from .models import AuditEvent

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


# The rows a trust's QI lead reads are found through live rows where they exist, and through
# the deletion history of the ward, return, count or setting where those rows are gone (a
# history row outlives what it names: it must stay readable, and stay in its trust's log).
# Id subqueries, never joins: a join to a deleted row would drop the history row.
def _ward_ids(trusts) -> list:
    return [
        Ward.objects.filter(trust__in=trusts).values("id"),
        Ward.history.filter(history_type="-", trust__in=trusts).values("id"),
    ]


def _ids_in(field: str, subqueries) -> Q:
    condition = Q()
    for ids in subqueries:
        condition |= Q(**{f"{field}__in": ids})
    return condition


def _trust_in(trusts) -> Q:
    return Q(trust_id__in=trusts.values("id"))


def _ward_in(trusts) -> Q:
    return _ids_in("ward_id", _ward_ids(trusts))


def _return_ids(trusts) -> list:
    return [
        WeeklyReturn.objects.filter(_ward_in(trusts)).values("id"),
        WeeklyReturn.history.filter(_ward_in(trusts), history_type="-").values("id"),
    ]


def _count_ids(trusts) -> list:
    in_trusts = _ids_in("weekly_return_id", _return_ids(trusts))
    return [
        WeeklyCount.objects.filter(in_trusts).values("id"),
        WeeklyCount.history.filter(in_trusts, history_type="-").values("id"),
    ]


def _idea_ids(trusts) -> list:
    return [
        ChangeIdea.objects.filter(_ward_in(trusts)).values("id"),
        ChangeIdea.history.filter(_ward_in(trusts), history_type="-").values("id"),
    ]


def _setting_ids(trusts) -> list:
    return [
        ChartSetting.objects.filter(_ward_in(trusts)).values("id"),
        ChartSetting.history.filter(_ward_in(trusts), history_type="-").values("id"),
    ]


@dataclasses.dataclass(frozen=True)
class Kind:
    label: str
    model: type
    # The condition putting a history row in one of the trusts: None for rows that belong to
    # no trust (admins only).
    in_trusts: Callable[[QuerySet], Q] | None
    related: tuple[str, ...] = ()

    def history(self) -> QuerySet:
        return self.model.history.model.objects


KINDS = {
    "return": Kind("Weekly return", WeeklyReturn, _ward_in, ("ward",)),
    "count": Kind("Weekly count", WeeklyCount,
                  lambda t: _ids_in("weekly_return_id", _return_ids(t)),
                  ("weekly_return__ward", "measure")),  # fmt: skip
    "value": Kind("Weekly figure", WeeklyValue,
                  lambda t: _ids_in("weekly_return_id", _return_ids(t)),
                  ("weekly_return__ward", "measure")),  # fmt: skip
    "incident_date": Kind("Incident date", IncidentDate,
                          lambda t: _ids_in("count_id", _count_ids(t)),
                          ("count__weekly_return__ward", "count__measure")),  # fmt: skip
    "chart_setting": Kind("Chart setting", ChartSetting, _ward_in, ("ward", "measure")),
    "phase_break": Kind("Phase break", PhaseBreak,
                        lambda t: _ids_in("setting_id", _setting_ids(t)),
                        ("setting__ward", "setting__measure")),  # fmt: skip
    "change_idea": Kind("Change idea", ChangeIdea, _ward_in, ("ward",)),
    "pdsa_cycle": Kind("PDSA cycle", PdsaCycle, lambda t: _ids_in("idea_id", _idea_ids(t)),
                       ("idea__ward",)),  # fmt: skip
    "ward": Kind("Ward", Ward, _trust_in, ("trust",)),
    "membership": Kind("Membership", Membership, lambda t: _ward_in(t) | _trust_in(t),
                       ("user", "ward__trust", "trust", "region")),  # fmt: skip
    "token": Kind("API token", ApiToken, None, ("user",)),
    "reminder_schedule": Kind("Reminder times", ReminderSchedule, _trust_in, ("trust",)),
    "event": Kind("User or text change", AuditEvent, None, ("actor", "subject")),
}


@dataclasses.dataclass(frozen=True)
class Entry:
    when: datetime.datetime
    kind: str
    action: str
    who: str
    what: str
    changes: list[str]
    reason: str


def _scoped(kind: Kind, trusts) -> QuerySet:
    rows = kind.history()
    if trusts is None:  # an admin: everything
        return rows.all()
    if kind.in_trusts is None:
        return rows.none()
    return rows.filter(kind.in_trusts(trusts))


def audit_entries_for_user(user, *, trust: Trust | None = None, kind: str = "",
                           who: str = "", since=None, until=None) -> QuerySet:  # fmt: skip
    """(history_date, kind, history_id) of every history row the user may read, newest first,
    as one UNION query so that it pages in the database."""
    if trust is not None:
        trusts = Trust.objects.filter(pk=trust.pk)
    else:
        trusts = None if is_admin(user) else trusts_managed_by(user)
    parts = []
    for key, spec in KINDS.items():
        if kind and key != kind:
            continue
        rows = _scoped(spec, trusts)
        if who:
            rows = rows.filter(history_user__username__iexact=who)
        if since:
            rows = rows.filter(history_date__date__gte=since)
        if until:
            rows = rows.filter(history_date__date__lte=until)
        parts.append(
            rows.annotate(kind=Value(key, output_field=CharField()))
            .values_list("history_date", "kind", "history_id")
            .order_by()
        )
    if not parts:
        return WeeklyReturn.history.none().values_list("history_date", "history_id")
    return parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id")


def _name(obj, missing: str) -> str:
    """The name of what a history row points at; `missing` when that row is gone."""
    return missing if obj is None else str(getattr(obj, "name", None) or obj)


def _week(obj) -> str:
    return f", week of {obj.week_start:%d %b %Y}" if obj is not None else ""


def _describe(kind: str, row) -> str:
    """One line about a history row. Every related row may be gone (deleted users, wards,
    returns, counts, settings): a history row is always readable."""
    if kind == "return":
        return f"{_name(row.ward, 'a deleted ward')}, week of {row.week_start:%d %b %Y} " \
               f"({row.status})"  # fmt: skip
    if kind == "count":
        ret = row.weekly_return
        ward = _name(ret.ward, "a deleted ward") if ret else "a deleted return"
        return f"{_name(row.measure, 'A deleted measure')} ({ward}{_week(ret)})"
    if kind == "value":
        ret = row.weekly_return
        ward = _name(ret.ward, "a deleted ward") if ret else "a deleted return"
        figure = value_text(row.value if row.value is not None
                            else Proportion(row.numerator, row.denominator))  # fmt: skip
        return f"{_name(row.measure, 'A deleted measure')} = {figure} ({ward}{_week(ret)})"
    if kind == "incident_date":
        return _describe_incident_date(row)
    if kind == "chart_setting":
        return f"{_name(row.measure, 'A deleted measure')} chart of " \
               f"{_name(row.ward, 'a deleted ward')}: {row.chart_type}"  # fmt: skip
    if kind == "phase_break":
        setting = row.setting
        chart = "A deleted chart"
        if setting is not None:
            chart = f"{_name(setting.measure, 'A deleted measure')} chart of " \
                    f"{_name(setting.ward, 'a deleted ward')}"  # fmt: skip
        return f"{chart}: phase from {row.starts_on:%d %b %Y} ({row.reason})"
    if kind == "change_idea":
        return f"{_name(row.ward, 'A deleted ward')}: {row.title}"
    if kind == "pdsa_cycle":
        idea = row.idea  # None once the idea itself is deleted (its history stays)
        where = f"{_name(idea.ward, 'A deleted ward')}: {idea.title}" if idea else \
                "a deleted change idea"  # fmt: skip
        return f"{where}, PDSA cycle {row.number}"
    if kind == "ward":
        return f"{row.name} ({_name(row.trust, 'a deleted trust')})"
    return _describe_of_user(kind, row)


def _describe_of_user(kind: str, row) -> str:
    if kind == "membership":
        where = row.ward or row.trust or row.region
        if where is None:
            where = "everything" if row.role == Membership.Role.ADMIN else "a deleted scope"
        user = row.user.username if row.user else "A deleted user"
        return f"{user}: {row.get_role_display()} for {where}"
    if kind == "token":
        state = "revoked" if row.revoked_at else ("read-only" if row.read_only else "read-write")
        user = f"{row.user.username}'s" if row.user else "A deleted user's"
        return f"{user} token '{row.name}' ({row.prefix}…, {state})"
    if kind == "event":
        subject = f" {row.subject.username}:" if row.subject else ""
        return f"{row.get_action_display()}:{subject} {row.detail}"
    return str(row)


def _safe_describe(kind: str, row) -> str:
    try:
        return _describe(kind, row)
    except ObjectDoesNotExist:  # a relation not loaded with the row, and gone
        return f"{KINDS[kind].label} {row.id} (what it named is deleted)"


def _describe_incident_date(row) -> str:
    count = row.count  # None once the count itself is deleted (its history stays)
    if count is None:
        return f"An incident on {row.occurred_on:%d %b %Y} (of a deleted count)"
    ret = count.weekly_return
    ward = _name(ret.ward, "a deleted ward") if ret else "a deleted return"
    return (
        f"{_name(count.measure, 'A deleted measure')} incident on {row.occurred_on:%d %b %Y} "
        f"({ward}{_week(ret)})"
    )


# Fields every change touches (who saved, when, the lock's version): the entry's who and when
# already say them, and "updated_by: None → 2" tells a reader nothing.
BOOKKEEPING = {"updated_by", "updated_at", "created_by", "created_at", "version",
               "submitted_by", "submitted_at"}  # fmt: skip


def _shown(field, value) -> str:
    """A field's value as a person reads it: labels of choices, names of users and objects,
    days, blank for nothing (never a code or an id)."""
    if value is None or value == "" or value == []:
        return "blank"
    if field.many_to_many:  # simple_history gives [{"<model>": id, "<related>": id}, ...]
        key = field.related_model._meta.model_name
        ids = [item.get(key) for item in value if isinstance(item, dict)]
        names = field.related_model._base_manager.filter(pk__in=ids)
        return ", ".join(sorted(map(str, names))) or "blank"
    if field.is_relation:
        target = field.related_model._base_manager.filter(pk=value).first()
        return getattr(target, "username", None) or (str(target) if target else f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return f"{value:%d %b %Y}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _changes(row) -> list[str]:
    """Old → new of each field a person changed. A count's creation and deletion are changes
    too (blank → 3, 3 → blank): its entry otherwise shows only the value it has now."""
    model = row.instance_type
    if row.history_type != "~":
        if model is not WeeklyCount:
            return []
        old, new = (None, row.count) if row.history_type == "+" else (row.count, None)
        return [f"Count: {_shown(model._meta.get_field('count'), old)} → "
                f"{_shown(model._meta.get_field('count'), new)}"]  # fmt: skip
    previous = row.prev_record
    if previous is None:
        return []
    lines = []
    for change in row.diff_against(previous).changes:
        if change.field in BOOKKEEPING:
            continue
        field = model._meta.get_field(change.field)
        label = str(field.verbose_name)
        lines.append(f"{label[:1].upper()}{label[1:]}: {_shown(field, change.old)} → "
                     f"{_shown(field, change.new)}")  # fmt: skip
    return lines


def audit_page_entries(keys) -> list[Entry]:
    """The entries of one page of `audit_entries_for_user`, each loaded with what it names."""
    wanted = {}
    for _, kind, history_id in keys:
        wanted.setdefault(kind, []).append(history_id)
    loaded = {}
    for kind, ids in wanted.items():
        spec = KINDS[kind]
        rows = spec.history().filter(history_id__in=ids).select_related("history_user")
        for name in spec.related:
            rows = rows.select_related(name)
        loaded |= {(kind, row.history_id): row for row in rows}
    entries = []
    for when, kind, history_id in keys:
        row = loaded[(kind, history_id)]
        entries.append(
            Entry(
                when=when,
                kind=KINDS[kind].label,
                action=ACTIONS.get(row.history_type, row.history_type),
                who=row.history_user.username if row.history_user else "(system)",
                what=_safe_describe(kind, row),
                changes=_changes(row),
                reason=row.history_change_reason or "",
            )
        )
    return entries
