"""Change ideas and their PDSA cycles: the writes (the web pages and the API call these).

Every write checks the rules of measures/pdsa_rules.py (all of them, one round) and the
identifier guard on every free-text field, then saves through the models' history: a refusal
is a `ValidationError` naming each field, and nothing is saved. The user is given to the
history explicitly: an API request's token user is not the one the history middleware sees."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mhsip.text import clean_free_text
from wards.models import Ward

from . import pdsa_rules
from .models import ChangeIdea, Measure, PdsaCycle
from .selectors import measures_for_ward

IDEA_TEXT = ("title", "driver_area", "notes")
CYCLE_TEXT = ("owner_role", "plan", "prediction", "do", "study", "act")
CYCLE_FIELDS = (*CYCLE_TEXT, "starts_on", "ends_on", "outcome")
IDEA_FIELDS = (*IDEA_TEXT, "started_on")


def _cleaned_texts(values: dict, errors: dict) -> dict:
    """The free text with NUL and outer spaces removed; an NHS number is a field error."""
    cleaned = {}
    for key, value in values.items():
        try:
            cleaned[key] = clean_free_text(value)
        except ValidationError as error:
            errors[key] = error.messages[0]
            cleaned[key] = value
    return cleaned


def _refuse(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _measure_codes(measures) -> list[str]:
    return [m.code if isinstance(m, Measure) else str(m) for m in measures]


def _ward_measures(ward: Ward, codes: list[str], errors: dict) -> list[Measure]:
    allowed = {m.code: m for m in measures_for_ward(ward)}
    errors |= pdsa_rules.idea_errors(
        title=None, started_on=None, measure_codes=codes, allowed_codes=set(allowed),
        today=timezone.localdate(),
    )  # fmt: skip
    return [allowed[c] for c in codes if c in allowed]


def _cycle_rule_errors(values: dict, idea_started_on) -> dict:
    return pdsa_rules.cycle_errors(
        **{k: values.get(k) for k in ("plan", "prediction", "do", "study", "act", "outcome",
                                      "starts_on", "ends_on", "owner_role")},
        today=timezone.localdate(), idea_started_on=idea_started_on,
    )  # fmt: skip


@transaction.atomic
def change_idea_create(
    *, ward: Ward, user, title: str, started_on: datetime.date, measures,
    plan: str, prediction: str, starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None, owner_role: str = "", driver_area: str = "",
    notes: str = "",
) -> ChangeIdea:
    """A change idea on a ward, the measures it targets and its first PDSA cycle (its plan):
    an idea is always tested in a cycle. The cycle starts with the idea unless told."""
    errors: dict = {}
    idea_text = _cleaned_texts({"title": title, "driver_area": driver_area, "notes": notes},
                               errors)  # fmt: skip
    cycle = _cleaned_texts({"plan": plan, "prediction": prediction, "owner_role": owner_role},
                           errors)  # fmt: skip
    cycle |= {"starts_on": starts_on or started_on, "ends_on": ends_on}
    targets = _ward_measures(ward, _measure_codes(measures), errors)
    errors |= {k: v for k, v in pdsa_rules.idea_errors(
        title=idea_text["title"], started_on=started_on, measure_codes=None, allowed_codes=set(),
        today=timezone.localdate(),
    ).items() if k not in errors}  # fmt: skip
    cycle_errors = _cycle_rule_errors(cycle, started_on)
    if starts_on is None:
        cycle_errors.pop("starts_on", None)  # the idea's own start says what is wrong
    errors |= {k: v for k, v in cycle_errors.items() if k not in errors}
    _refuse(errors)
    idea = ChangeIdea(ward=ward, started_on=started_on, created_by=user, **idea_text)
    idea.full_clean()
    idea._history_user = user
    idea.save()
    idea.measures.set(targets)
    first = PdsaCycle(idea=idea, number=1, created_by=user, **cycle)
    first.full_clean()
    first._history_user = user
    first.save()
    return idea


@transaction.atomic
def change_idea_update(*, idea: ChangeIdea, user, measures=None, **fields) -> ChangeIdea:
    """Change an idea's title, start, driver area, notes and (given) targeted measures."""
    unknown = set(fields) - set(IDEA_FIELDS)
    if unknown:
        raise TypeError(f"Not a field of a change idea: {', '.join(sorted(unknown))}")
    idea = ChangeIdea.objects.select_for_update().get(pk=idea.pk)
    errors: dict = {}
    texts = _cleaned_texts({k: v for k, v in fields.items() if k in IDEA_TEXT}, errors)
    targets = None
    if measures is not None:
        targets = _ward_measures(idea.ward, _measure_codes(measures), errors)
    first = idea.cycles.order_by("number").first()
    started_on = fields.get("started_on", idea.started_on)
    errors |= {k: v for k, v in pdsa_rules.idea_errors(
        title=texts.get("title"), started_on=started_on, measure_codes=None,
        allowed_codes=set(), today=timezone.localdate(),
        first_cycle_starts_on=first.starts_on if first else None,
    ).items() if k not in errors}  # fmt: skip
    _refuse(errors)
    changed = [k for k, v in {**texts, "started_on": started_on}.items()
               if getattr(idea, k) != v]  # fmt: skip
    for key in changed:
        setattr(idea, key, texts.get(key, started_on))
    if changed:
        idea.full_clean()
        idea._history_user = user
        idea.save(update_fields=changed)
    if targets is not None and {m.pk for m in targets} != set(
        idea.measures.values_list("pk", flat=True)
    ):
        idea._history_user = user
        idea.measures.set(targets)
    return idea


@transaction.atomic
def pdsa_cycle_add(
    *, idea: ChangeIdea, user, plan: str, prediction: str, starts_on: datetime.date,
    ends_on: datetime.date | None = None, owner_role: str = "",
) -> PdsaCycle:
    """The next cycle of an idea (adapt: test it again changed), once the last is closed."""
    idea = ChangeIdea.objects.select_for_update().get(pk=idea.pk)
    errors: dict = {}
    values = _cleaned_texts({"plan": plan, "prediction": prediction, "owner_role": owner_role},
                            errors)  # fmt: skip
    values |= {"starts_on": starts_on, "ends_on": ends_on}
    errors |= {k: v for k, v in _cycle_rule_errors(values, idea.started_on).items()
               if k not in errors}  # fmt: skip
    last = idea.cycles.order_by("-number").first()
    if message := pdsa_rules.new_cycle_error(last.number if last and not last.outcome else None):
        errors.setdefault("__all__", message)
    _refuse(errors)
    cycle = PdsaCycle(idea=idea, number=(last.number + 1) if last else 1, created_by=user,
                      **values)  # fmt: skip
    cycle.full_clean()
    cycle._history_user = user
    cycle.save()
    return cycle


@transaction.atomic
def pdsa_cycle_update(*, cycle: PdsaCycle, user, **fields) -> PdsaCycle:
    """Record a cycle's stages as it goes (Do, Study, Act), correct its plan or dates, or
    close it with its outcome (with Act and the day it ended)."""
    unknown = set(fields) - set(CYCLE_FIELDS)
    if unknown:
        raise TypeError(f"Not a field of a PDSA cycle: {', '.join(sorted(unknown))}")
    cycle = PdsaCycle.objects.select_for_update().select_related("idea").get(pk=cycle.pk)
    errors: dict = {}
    texts = _cleaned_texts({k: v for k, v in fields.items() if k in CYCLE_TEXT}, errors)
    values = {f: getattr(cycle, f) for f in CYCLE_FIELDS} | fields | texts
    values["outcome"] = values["outcome"] or ""
    errors |= {k: v for k, v in _cycle_rule_errors(values, cycle.idea.started_on).items()
               if k not in errors}  # fmt: skip
    _refuse(errors)
    changed = [f for f in CYCLE_FIELDS if getattr(cycle, f) != values[f]]
    if not changed:
        return cycle
    for key in changed:
        setattr(cycle, key, values[key])
    cycle.full_clean()
    cycle._history_user = user
    cycle.save(update_fields=[*changed, "updated_at"])
    return cycle
