"""Programme targets of the catalogue: each programme's direction and target on each of its
measures, loaded by a data migration and by `catalogue.sync_catalogue`.

By default a programme's target on a measure is its programme-wide reduction (`Programme.
reduction_percent`, none where blank) by the programme's deadline, in the measure's direction.
`TARGETS` overrides that per programme and measure. Existing targets are never overwritten:
admins edit them (with history) in the admin.
"""

from . import targets

SEXUAL_PROGRAMME = "Sexual safety: national aim"
# Incident reports of sexual safety are a *reporting* measure: a ward that gets better at
# reporting reports more, so neither direction is an improvement. How safe patients feel is
# the outcome the programme aims to improve by 50%.
REPORTING_CODES = ("sexual_safety_incidents", "sexual_safety_patients", "sexual_safety_staff")
FEEL_SAFE_CODE = "sexual_safety_feel_safe"

TARGETS = [
    *(
        {"programme": SEXUAL_PROGRAMME, "measure": code, "direction": targets.REPORTING,
         "kind": targets.NONE}  # fmt: skip
        for code in REPORTING_CODES
    ),
    {"programme": SEXUAL_PROGRAMME, "measure": FEEL_SAFE_CODE, "direction": targets.INCREASE,
     "kind": targets.RAISE, "percent": 50},  # fmt: skip
]

IMPROVEMENT_DIRECTION = {"decrease": targets.DECREASE, "increase": targets.INCREASE,
                         "neutral": targets.REPORTING}  # fmt: skip


def default_target(programme, measure) -> dict:
    percent = programme.reduction_percent
    return {
        "direction": IMPROVEMENT_DIRECTION.get(measure.improvement, targets.DECREASE),
        "kind": targets.REDUCE if percent else targets.NONE,
        "percent": percent or None,
        "deadline": programme.deadline,
    }


def sync_targets(Programme, Measure) -> None:
    """Create the catalogue's targets that do not exist yet (idempotent; takes the model
    classes so a migration can pass its historical ones). A `TARGETS` entry whose measure is
    not in the catalogue (yet) is skipped; it is created by a later sync."""
    try:
        Target = Programme._meta.apps.get_model("measures", "ProgrammeTarget")
    except LookupError:
        return  # a migration state from before programme targets
    programmes = {p.name: p for p in Programme.objects.all()}
    measures = {m.code: m for m in Measure.objects.all()}
    for spec in TARGETS:
        programme, measure = programmes.get(spec["programme"]), measures.get(spec["measure"])
        if programme is None or measure is None:
            continue
        fields = {k: v for k, v in spec.items() if k not in ("programme", "measure")}
        fields.setdefault("deadline", programme.deadline)
        Target.objects.get_or_create(programme=programme, measure=measure, defaults=fields)
        programme.measures.add(measure)
    for programme in programmes.values():
        for measure in programme.measures.all():
            Target.objects.get_or_create(
                programme=programme, measure=measure, defaults=default_target(programme, measure)
            )
