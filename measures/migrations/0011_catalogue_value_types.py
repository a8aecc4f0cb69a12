from django.db import migrations


def load_catalogue(apps, schema_editor):
    # The catalogue sync is idempotent: it adds the new measures (composite, chemical restraint
    # by route, proportions, a duration, a score), makes rapid tranquillisation a sub-measure
    # of chemical restraint, and sets the composite's parts.
    from measures.catalogue import sync_catalogue

    sync_catalogue(
        apps.get_model("measures", "Measure"),
        apps.get_model("measures", "Programme"),
        apps.get_model("measures", "CompositePart"),
    )


class Migration(migrations.Migration):
    dependencies = [("measures", "0010_value_types_and_composites")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
