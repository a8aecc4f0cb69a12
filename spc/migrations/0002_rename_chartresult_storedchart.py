from django.db import migrations


class Migration(migrations.Migration):
    """ChartResult shared its name with the engine's spc.engine.ChartResult dataclass. The
    table is renamed in place: every stored chart is kept."""

    dependencies = [
        ("spc", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel(old_name="ChartResult", new_name="StoredChart"),
    ]
