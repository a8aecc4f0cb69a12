"""Each change idea recorded before PDSA cycles existed gets one cycle made from its stage
and notes, and targets every measure of its ward's programmes (every active measure for a
ward in none), so it is drawn where it was drawn before until someone edits it."""

from django.db import migrations

NOT_RECORDED = "Not recorded: this change idea was entered before PDSA cycles were kept."
STAGES = ["plan", "do", "study", "act"]


def cycle_fields(idea) -> dict:
    """The cycle's stage texts: the notes go in the stage the idea had reached, the stages
    before it say they were not recorded, so the cycle's derived stage is the idea's."""
    reached = STAGES.index(idea.stage) if idea.stage in STAGES else 0
    notes = idea.notes.strip()
    texts = {}
    for index, stage in enumerate(STAGES):
        if index < reached:
            texts[stage] = NOT_RECORDED
        elif index == reached:
            texts[stage] = notes or (idea.title if stage == "plan" else NOT_RECORDED)
        else:
            texts[stage] = ""
    if reached > 0 and not texts["plan"].strip():
        texts["plan"] = idea.title
    return texts


def forwards(apps, schema_editor):
    ChangeIdea = apps.get_model("measures", "ChangeIdea")
    PdsaCycle = apps.get_model("measures", "PdsaCycle")
    Measure = apps.get_model("measures", "Measure")
    Programme = apps.get_model("measures", "Programme")
    active = list(Measure.objects.filter(is_active=True).values_list("pk", flat=True))
    for idea in ChangeIdea.objects.all().iterator():
        if not PdsaCycle.objects.filter(idea=idea).exists():
            PdsaCycle.objects.create(
                idea=idea, number=1, starts_on=idea.started_on, created_by_id=idea.created_by_id,
                **cycle_fields(idea),
            )
        measures = set(
            Programme.objects.filter(enrolments__ward_id=idea.ward_id)
            .values_list("measures", flat=True)
        ) - {None}
        idea.measures.set(measures or active)


def backwards(apps, schema_editor):
    PdsaCycle = apps.get_model("measures", "PdsaCycle")
    ChangeIdea = apps.get_model("measures", "ChangeIdea")
    for idea in ChangeIdea.objects.all().iterator():
        cycle = PdsaCycle.objects.filter(idea=idea).order_by("-number").first()
        if cycle is not None:
            stage = next((s for s in reversed(STAGES) if getattr(cycle, s)), "plan")
            ChangeIdea.objects.filter(pk=idea.pk).update(stage=stage)


class Migration(migrations.Migration):
    dependencies = [("measures", "0006_pdsa_cycles_and_targeted_measures")]

    operations = [migrations.RunPython(forwards, backwards)]
