from django.db import migrations

REPORTING_CODES = ("sexual_safety_incidents", "sexual_safety_patients", "sexual_safety_staff")


def load_targets(apps, schema_editor):
    """Each programme's target on each of its measures, as the charts read them before (the
    programme's reduction by its deadline), with sexual safety's incident reports as reporting
    measures (no good direction) and how safe patients feel to increase by 50%."""
    from measures.catalogue_targets import sync_targets

    Measure = apps.get_model("measures", "Measure")
    Measure.objects.filter(code__in=REPORTING_CODES).update(improvement="neutral")
    sync_targets(apps.get_model("measures", "Programme"), Measure)


def remove_targets(apps, schema_editor):
    apps.get_model("measures", "ProgrammeTarget").objects.all().delete()
    apps.get_model("measures", "Measure").objects.filter(code__in=REPORTING_CODES).update(
        improvement="decrease"
    )


class Migration(migrations.Migration):
    dependencies = [("measures", "0006_programme_targets_and_local_measures")]

    operations = [migrations.RunPython(load_targets, remove_targets)]
