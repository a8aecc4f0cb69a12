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

from django.db.models import CharField, Q, QuerySet, Value

from measures.models import ChangeIdea, IncidentDate, PdsaCycle, WeeklyCount, WeeklyReturn
from reports.models import ReminderSchedule
from spc.models import ChartSetting, PhaseBreak
from tokens.models import ApiToken
from wards.access import is_admin, trusts_managed_by
from wards.models import Membership, Trust, Ward

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclasses.dataclass(frozen=True)
class Kind:
    label: str
    model: type
    # The lookup from a history row to its trust: None for rows that belong to no trust.
    trust_lookups: tuple[str, ...] | None
    related: tuple[str, ...] = ()

    def history(self) -> QuerySet:
        return self.model.history.model.objects


KINDS = {
    "return": Kind("Weekly return", WeeklyReturn, ("ward__trust",), ("ward",)),
    "count": Kind(
        "Weekly count", WeeklyCount, ("weekly_return__ward__trust",),
        ("weekly_return__ward", "measure"),
    ),  # fmt: skip
    "incident_date": Kind(
        "Incident date", IncidentDate, ("count__weekly_return__ward__trust",),
        ("count__weekly_return__ward", "count__measure"),
    ),  # fmt: skip
    "chart_setting": Kind("Chart setting", ChartSetting, ("ward__trust",), ("ward", "measure")),
    "phase_break": Kind("Phase break", PhaseBreak, ("setting__ward__trust",),
                        ("setting__ward", "setting__measure")),  # fmt: skip
    "change_idea": Kind("Change idea", ChangeIdea, ("ward__trust",), ("ward",)),
    "pdsa_cycle": Kind("PDSA cycle", PdsaCycle, ("idea__ward__trust",), ("idea__ward",)),
    "ward": Kind("Ward", Ward, ("trust",), ("trust",)),
    "membership": Kind("Membership", Membership, ("ward__trust", "trust"),
                       ("user", "ward__trust", "trust", "region")),  # fmt: skip
    "token": Kind("API token", ApiToken, None, ("user",)),
    "reminder_schedule": Kind("Reminder times", ReminderSchedule, ("trust",), ("trust",)),
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
    if kind.trust_lookups is None:
        return rows.none()
    condition = Q()
    for lookup in kind.trust_lookups:
        condition |= Q(**{f"{lookup}__in": trusts})
    return rows.filter(condition)


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


def _describe(kind: str, row) -> str:
    if kind == "return":
        return f"{row.ward.name}, week of {row.week_start:%d %b %Y} ({row.status})"
    if kind == "count":
        ward = row.weekly_return.ward.name if row.weekly_return else "a deleted return"
        week = f", week of {row.weekly_return.week_start:%d %b %Y}" if row.weekly_return else ""
        return f"{row.measure.name} = {row.count} ({ward}{week})"
    if kind == "incident_date":
        return _describe_incident_date(row)
    if kind == "chart_setting":
        return f"{row.measure.name} chart of {row.ward.name}: {row.chart_type}"
    if kind == "phase_break":
        setting = row.setting
        return f"{setting.measure.name} chart of {setting.ward.name}: phase from " \
               f"{row.starts_on:%d %b %Y} ({row.reason})"  # fmt: skip
    if kind == "change_idea":
        return f"{row.ward.name}: {row.title}"
    if kind == "pdsa_cycle":
        idea = row.idea  # None once the idea itself is deleted (its history stays)
        where = f"{idea.ward.name}: {idea.title}" if idea else "a deleted change idea"
        return f"{where}, PDSA cycle {row.number}"
    if kind == "ward":
        return f"{row.name} ({row.trust.name})"
    if kind == "membership":
        where = row.ward or row.trust or row.region or "everything"
        return f"{row.user.username}: {row.get_role_display()} for {where}"
    if kind == "token":
        state = "revoked" if row.revoked_at else ("read-only" if row.read_only else "read-write")
        return f"{row.user.username}'s token '{row.name}' ({row.prefix}…, {state})"
    return str(row)


def _describe_incident_date(row) -> str:
    count = row.count  # None once the count itself is deleted (its history stays)
    if count is None:
        return f"An incident on {row.occurred_on:%d %b %Y} (of a deleted count)"
    return (
        f"{count.measure.name} incident on {row.occurred_on:%d %b %Y} "
        f"({count.weekly_return.ward.name}, week of {count.weekly_return.week_start:%d %b %Y})"
    )


def _changes(row) -> list[str]:
    previous = row.prev_record if row.history_type == "~" else None
    if previous is None:
        return []
    delta = row.diff_against(previous)
    return [f"{c.field}: {c.old} → {c.new}" for c in delta.changes]


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
                what=_describe(kind, row),
                changes=_changes(row),
                reason=row.history_change_reason or "",
            )
        )
    return entries
