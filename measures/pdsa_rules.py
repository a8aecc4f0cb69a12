"""Every rule of a change idea and its PDSA cycles, in one place (measures/rules.py holds
those of a return and imports these).

A change idea is tested in one or more PDSA cycles (Plan with a prediction, Do, Study, Act,
then an outcome: adopt, adapt or abandon; the Model for Improvement, Langley et al., as Life
QI records it). A cycle's stage is not stored: it is the furthest stage whose text is filled
in (`cycle_stage`), so it can never disagree with what the cycle says.

Pure functions, as in rules.py: typed values in (None for a value not given or not typed
correctly, so a form can ask for every rule in one round), `{field: message}` out. The
forms, the API and the services call these; the database constraints back them up.
"""

import datetime

from django.utils import dateformat

PLAN, DO, STUDY, ACT, CLOSED = "plan", "do", "study", "act", "closed"
STAGE_LABELS = {PLAN: "Plan", DO: "Do", STUDY: "Study", ACT: "Act", CLOSED: "Closed"}
STAGES = tuple(STAGE_LABELS)

ADOPT, ADAPT, ABANDON = "adopt", "adapt", "abandon"
OUTCOME_LABELS = {
    ADOPT: "Adopt: keep the change",
    ADAPT: "Adapt: change it and test again",
    ABANDON: "Abandon: stop testing it",
}

# Charts start with MHSIP's predecessors (2015); a plan more than a year ahead is a typing
# slip (and would stretch a chart's axis far beyond its data).
EARLIEST_DATE = datetime.date(2015, 1, 1)
PLAN_AHEAD = datetime.timedelta(days=365)
MAX_TEXT = 2000
MAX_TITLE = 120
MAX_ROLE = 80

# The stage text fields in order: a stage is recorded only after the ones before it.
STAGE_FIELDS = (("plan", "Plan"), ("do", "Do"), ("study", "Study"), ("act", "Act"))

# Owner roles offered as suggestions (a job title, never a person: the field is free text
# limited to a short role, and the identifier guard applies to it).
OWNER_ROLES = (
    "Ward manager", "Deputy ward manager", "Charge nurse", "Staff nurse",
    "Healthcare assistant", "Occupational therapist", "Psychologist",
    "Consultant psychiatrist", "Peer support worker", "Activity coordinator", "Matron",
    "QI lead", "Ward team",
)  # fmt: skip


def _day(value: datetime.date) -> str:
    return dateformat.format(value, "j F Y")


def cycle_stage(*, do: str, study: str, act: str, outcome: str) -> str:
    """The furthest stage a cycle has reached: closed once it has an outcome."""
    if outcome:
        return CLOSED
    if act:
        return ACT
    if study:
        return STUDY
    if do:
        return DO
    return PLAN


def date_error(value: datetime.date | None, *, label: str, today: datetime.date) -> str:
    """A date of a change idea or cycle: from 2015, and at most a year ahead."""
    if value is None:
        return ""
    if value < EARLIEST_DATE:
        return f"{label} cannot be before {_day(EARLIEST_DATE)}."
    if value > today + PLAN_AHEAD:
        return f"{label} cannot be more than a year ahead (after {_day(today + PLAN_AHEAD)})."
    return ""


def text_errors(values: dict[str, str | None], labels: dict[str, str]) -> dict[str, str]:
    """Free text within its length (the identifier guard is mhsip.text's, run on typing)."""
    errors = {}
    for key, value in values.items():
        limit = MAX_TITLE if key == "title" else MAX_ROLE if key == "owner_role" else MAX_TEXT
        if value and len(value) > limit:
            errors[key] = (f"{labels[key]}: at most {limit:,} characters (this has "
                           f"{len(value):,}).")  # fmt: skip
    return errors


def idea_errors(
    *,
    title: str | None,
    started_on: datetime.date | None,
    measure_codes: list[str] | None,
    allowed_codes: set[str],
    today: datetime.date,
    first_cycle_starts_on: datetime.date | None = None,
) -> dict[str, str]:
    """A change idea is named, dated within bounds, and targets at least one of the ward's
    measures; it cannot start after its first cycle."""
    errors = {}
    if title is not None and not title.strip():
        errors["title"] = "Name the change idea, for example: Safewards calm-down methods."
    errors |= text_errors({"title": title}, {"title": "Change idea"})
    if message := date_error(started_on, label="The start of a change idea", today=today):
        errors["started_on"] = message
    elif started_on and first_cycle_starts_on and started_on > first_cycle_starts_on:
        errors["started_on"] = (
            f"Its first PDSA cycle starts on {_day(first_cycle_starts_on)}: the change idea "
            "cannot start after it."
        )
    if measure_codes is not None:
        unknown = sorted(set(measure_codes) - allowed_codes)
        if not measure_codes:
            errors["measures"] = (
                "Choose at least one measure this change idea aims to improve: it is drawn "
                "on the charts of the measures it targets."
            )
        elif unknown:
            errors["measures"] = (f"Not a measure this ward reports: {', '.join(unknown)}.")
    return errors


def _stage_errors(texts: dict, outcome: str | None) -> dict[str, str]:
    errors = {}
    if texts["plan"] is not None and not texts["plan"].strip():
        errors["plan"] = "Say what you will change and why (the plan)."
    if texts["prediction"] is not None and not texts["prediction"].strip():
        errors["prediction"] = (
            "Say what you predict will happen: a PDSA cycle tests a prediction against the data."
        )
    for (field, label), (before, before_label) in zip(
        STAGE_FIELDS[1:], STAGE_FIELDS[:-1], strict=True
    ):
        if texts[field] and not (texts[before] or "").strip() and before not in errors:
            errors[field] = f"Record {before_label} before {label}: the stages go in order."
    if outcome and outcome not in OUTCOME_LABELS:
        errors["outcome"] = "Choose adopt, adapt or abandon."
    elif outcome and texts["act"] is not None and not texts["act"].strip():
        errors["outcome"] = (
            "A cycle gets its outcome once it has reached Act: say what you will do next (Act) "
            "first."
        )
    return errors


def _cycle_date_errors(starts_on, ends_on, *, closing: bool, today, idea_started_on):
    errors = {}
    for key, value, label in (
        ("starts_on", starts_on, "The start of a cycle"),
        ("ends_on", ends_on, "The end of a cycle"),
    ):
        if message := date_error(value, label=label, today=today):
            errors[key] = message
    if "starts_on" not in errors and starts_on and idea_started_on and starts_on < idea_started_on:
        errors["starts_on"] = (
            f"The change idea starts on {_day(idea_started_on)}: its cycles cannot start before."
        )
    if "ends_on" not in errors and starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = f"The end of a cycle cannot be before its start ({_day(starts_on)})."
    if closing and "ends_on" not in errors:
        if ends_on is None:
            errors["ends_on"] = "Give the day the cycle ended: a cycle with an outcome has ended."
        elif ends_on > today:
            errors["ends_on"] = (f"A cycle with an outcome has ended: its end cannot be after "
                                 f"today ({_day(today)}).")  # fmt: skip
    return errors


def cycle_errors(
    *,
    plan: str | None,
    prediction: str | None,
    do: str | None,
    study: str | None,
    act: str | None,
    outcome: str | None,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    today: datetime.date,
    idea_started_on: datetime.date | None = None,
    owner_role: str | None = None,
) -> dict[str, str]:
    """One PDSA cycle: a plan with a prediction; stages recorded in order, and only once the
    cycle has started; an outcome only once it has reached Act, with the day it ended (not
    in the future); dates within bounds, the end not before the start, the start not before
    its change idea."""
    texts = {"plan": plan, "prediction": prediction, "do": do, "study": study, "act": act}
    errors = _stage_errors(texts, outcome)
    closing = bool(outcome) and "outcome" not in errors
    errors |= _cycle_date_errors(starts_on, ends_on, closing=closing, today=today,
                                 idea_started_on=idea_started_on)  # fmt: skip
    if starts_on and starts_on > today:
        for field, label in STAGE_FIELDS[1:]:
            if texts[field] and field not in errors:
                errors[field] = (f"This cycle starts on {_day(starts_on)}: record {label} once "
                                 "it has started.")  # fmt: skip
    labels = dict(STAGE_FIELDS) | {"prediction": "Prediction", "owner_role": "Owner role"}
    errors |= {k: v for k, v in text_errors({**texts, "owner_role": owner_role}, labels).items()
               if k not in errors}  # fmt: skip
    return errors


def new_cycle_error(open_cycle_number: int | None) -> str:
    """Cycles follow one another: the next starts once the last has its outcome."""
    if open_cycle_number is None:
        return ""
    return (f"Cycle {open_cycle_number} is still open: close it with its outcome (adopt, adapt "
            "or abandon) before starting the next.")  # fmt: skip
