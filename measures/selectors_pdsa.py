"""Reads of change ideas and their PDSA cycles: lists per ward and trust, the ideas of a month
(board packs), the markers a chart draws, and an idea's history. Callers pass wards and trusts
already scoped through wards.access."""

import calendar
import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from wards.access import get_ward_for_user
from wards.models import Trust

from . import pdsa_rules
from .models import ChangeIdea, Measure, PdsaCycle


def change_idea_for_user(user, idea_id, *, write: bool = False) -> tuple[ChangeIdea, bool]:
    """An idea and whether the user may change it, through its ward's access (404 out of
    scope; 403 for a write by a read-only user)."""
    idea = ChangeIdea.objects.select_related("ward__trust").filter(pk=idea_id).first()
    if idea is None:
        raise Http404("No such change idea.")
    _, can_write = get_ward_for_user(user, idea.ward_id)
    if write and not can_write:
        raise PermissionDenied("You can view this ward's change ideas but not change them.")
    return idea, can_write


def cycle_for_user(user, idea_id, number, *, write: bool = False) -> PdsaCycle:
    idea, _ = change_idea_for_user(user, idea_id, write=write)
    cycle = idea.cycles.filter(number=number).first()
    if cycle is None:
        raise Http404("No such PDSA cycle.")
    cycle.idea = idea
    return cycle


def change_ideas_of(wards) -> QuerySet[ChangeIdea]:
    """The ideas of these wards with their cycles, measures and ward: three queries whatever
    the number of ideas."""
    return (
        ChangeIdea.objects.filter(ward__in=wards)
        .select_related("ward__trust", "created_by")
        .prefetch_related(
            Prefetch("cycles", queryset=PdsaCycle.objects.order_by("number")),
            Prefetch("measures", queryset=Measure.objects.order_by("display_order", "name")),
        )
        .order_by("-started_on", "title", "pk")
    )


def change_idea_list(wards, *, stage: str = "", driver_area: str = "") -> list[ChangeIdea]:
    """The ideas of these wards at a stage (their latest cycle's) and in a driver area. The
    stage is derived from each cycle's text, so it is filtered here, not in SQL: a trust
    has tens of ideas, not thousands."""
    ideas = change_ideas_of(wards)
    if driver_area:
        ideas = ideas.filter(driver_area__iexact=driver_area)
    return [i for i in ideas if not stage or i.stage == stage]


def driver_areas(wards) -> list[str]:
    """The driver diagram areas the wards' ideas name, for the list's filter."""
    names = ChangeIdea.objects.filter(ward__in=wards).exclude(driver_area="").values_list(
        "driver_area", flat=True
    )
    return sorted(set(names), key=str.lower)


@dataclass(frozen=True)
class MonthIdea:
    idea: ChangeIdea
    cycles: list[PdsaCycle]  # the cycles running at some time in the month


def _month(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def change_ideas_for(trust: Trust, measure: Measure, month: datetime.date) -> list[MonthIdea]:
    """The change ideas of a trust's wards that target `measure` and had a PDSA cycle running
    in the month of `month` (started by its last day, not ended before its first; an open
    cycle with no end runs until it is closed), each with those cycles; by ward, then start.
    For board packs: "the change ideas (PDSA) of that month"."""
    first, last = _month(month)
    running = PdsaCycle.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=first), starts_on__lte=last
    ).order_by("number")
    ideas = (
        ChangeIdea.objects.filter(ward__trust=trust, measures=measure,
                                  cycles__in=running)  # fmt: skip
        .distinct()
        .select_related("ward")
        .prefetch_related(Prefetch("cycles", queryset=running, to_attr="month_cycles"))
        .order_by("ward__name", "started_on", "pk")
    )
    return [MonthIdea(idea, idea.month_cycles) for idea in ideas]


def chart_markers(ideas, *, name_ward: bool = False) -> dict[int, list[dict]]:
    """Measure id -> the markers of the ideas targeting it: one per cycle, at its start.
    A trust's charts name the ward of each idea."""
    markers: dict[int, list[dict]] = {}
    for idea in ideas:
        prefix = f"{idea.ward.name}: " if name_ward else ""
        for cycle in idea.cycles.all():
            mark = {"date": cycle.starts_on.isoformat(),
                    "title": f"{prefix}{idea.title} (PDSA {cycle.number})"}  # fmt: skip
            for measure in idea.measures.all():
                markers.setdefault(measure.pk, []).append(mark)
    return markers


@dataclass(frozen=True)
class IdeaChange:
    when: datetime.datetime
    who: str
    what: str  # "Change idea" or "PDSA 2"
    field: str
    old: str
    new: str


def _shown(value) -> str:
    if value is None or value == "":
        return "blank"
    if isinstance(value, datetime.date):
        return f"{value:%-d %b %Y}"
    return str(value)


def _labels(model) -> dict[str, str]:
    return {f.name: str(f.verbose_name).capitalize() for f in model._meta.get_fields()
            if hasattr(f, "verbose_name")}  # fmt: skip


def _diffs(records, what, labels, shown) -> list[IdeaChange]:
    changes = []
    previous = None
    for record in records:
        who = str(record.history_user or "unknown")
        name = what(record)
        if previous is None:
            changes.append(IdeaChange(record.history_date, who, name, "Recorded", "none",
                                      "created"))  # fmt: skip
        else:
            for change in record.diff_against(previous).changes:
                changes.append(IdeaChange(
                    record.history_date, who, name, labels.get(change.field, change.field),
                    shown(change.field, change.old), shown(change.field, change.new),
                ))  # fmt: skip
        previous = record
    return changes


def change_idea_history(idea: ChangeIdea) -> list[IdeaChange]:
    """Every change to an idea, its targeted measures and its cycles (who, when, old → new),
    newest first, from django-simple-history."""
    names = dict(Measure.objects.values_list("pk", "name"))
    outcomes = dict(PdsaCycle.Outcome.choices)

    def shown(field, value):
        if field == "measures":
            return ", ".join(sorted(names.get(row["measure"], "a measure") for row in value)) \
                or "none"  # fmt: skip
        if field == "outcome" and value:
            return outcomes.get(value, value)
        return _shown(value)

    idea_records = idea.history.select_related("history_user").order_by("history_date",
                                                                         "history_id")  # fmt: skip
    changes = _diffs(idea_records, lambda r: "Change idea", _labels(ChangeIdea), shown)
    cycle_records = (
        PdsaCycle.history.filter(idea_id=idea.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    by_cycle: dict[int, list] = {}
    for record in cycle_records:
        by_cycle.setdefault(record.id, []).append(record)
    labels = _labels(PdsaCycle)
    for records in by_cycle.values():
        changes += _diffs(records, lambda r: f"PDSA {r.number}", labels, shown)
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes


def stage_choices() -> list[tuple[str, str]]:
    return list(pdsa_rules.STAGE_LABELS.items())

