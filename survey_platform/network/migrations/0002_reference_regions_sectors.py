"""Seed the reference data: 滁州市, its 8 county-level divisions and the sectors."""

from django.db import migrations

from survey_platform.network.reference import ensure_reference_data


def seed(apps, schema_editor):
    ensure_reference_data(apps.get_model("network", "Region"), apps.get_model("network", "Sector"))


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
