"""Store every existing user name in its normalised form (NFKC, case-folded).

The login looks names up only in that form (core/auth_backend.py); new and edited users
are normalised on save (core/signals.py). Two existing accounts that differ only in case
or width would collide: the migration stops and names them rather than merge them.
"""

import unicodedata

from django.conf import settings
from django.db import migrations


def _normalise(name):
    return unicodedata.normalize("NFKC", str(name or "")).strip().casefold()[:150]


def forwards(apps, schema_editor):
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    User = apps.get_model(app_label, model_name)
    field = getattr(User, "USERNAME_FIELD", "username")
    seen = {}
    for pk, name in User.objects.values_list("pk", field):
        seen.setdefault(_normalise(name), []).append(name)
    clashes = {key: names for key, names in seen.items() if len(names) > 1}
    if clashes:
        listed = "; ".join(", ".join(names) for names in clashes.values())
        raise RuntimeError(
            "These user names differ only in case or width and would become one account: "
            f"{listed}. Rename all but one of each group, then migrate again."
        )
    for user in User.objects.all():
        name = getattr(user, field)
        if _normalise(name) != name:
            setattr(user, field, _normalise(name))
            user.save(update_fields=[field])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
