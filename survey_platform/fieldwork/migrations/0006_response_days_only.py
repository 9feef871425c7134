"""Responses keep days, not times: existing started/updated/submitted times are cut to the
start of their day in the survey office's time zone (see models.field_day_start)."""

from zoneinfo import ZoneInfo

from django.db import migrations, models

import survey_platform.fieldwork.models

FIELD_TZ = ZoneInfo("Asia/Shanghai")
BATCH = 2000


def _day(moment):
    if moment is None:
        return None
    local = moment.astimezone(FIELD_TZ)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def coarsen(apps, schema_editor):
    Response = apps.get_model("fieldwork", "Response")
    fields = ("started_at", "updated_at", "submitted_at")
    rows = Response.objects.only("id", *fields).order_by("id")
    batch = []
    for response in rows.iterator(chunk_size=BATCH):
        for name in fields:
            setattr(response, name, _day(getattr(response, name)))
        batch.append(response)
        if len(batch) >= BATCH:
            Response.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        Response.objects.bulk_update(batch, fields)


class Migration(migrations.Migration):
    dependencies = [("fieldwork", "0005_answer_code_hashes")]

    operations = [
        migrations.AlterField(
            model_name="response",
            name="started_at",
            field=models.DateTimeField(default=survey_platform.fieldwork.models.field_day_start),
        ),
        migrations.AlterField(
            model_name="response",
            name="updated_at",
            field=models.DateTimeField(
                db_index=True, default=survey_platform.fieldwork.models.field_day_start
            ),
        ),
        migrations.RunPython(coarsen, migrations.RunPython.noop),
    ]
