from django.db import migrations


def load_catalogue(apps, schema_editor):
    from measures.catalogue import sync_catalogue

    sync_catalogue(apps.get_model("measures", "Measure"), apps.get_model("measures", "Programme"))


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
