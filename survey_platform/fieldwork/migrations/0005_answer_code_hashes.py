"""Answer codes become credentials that nobody can recover: keep only keyed hashes.

Existing codes keep working: their hashes are computed from the plaintext before the
plaintext columns are dropped. The partial responses of existing invitations are re-keyed
from the old resume hash (of the token) to the new one (of the invitation), so a
respondent half-way through continues where they stopped.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models


def _digest(kind: str, code: str) -> str:
    secret = settings.ANSWER_CODE_KEY.encode()
    return hmac.new(secret, f"{kind}:{code}".encode(), hashlib.sha256).hexdigest()


def _resume(key: str) -> str:
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, b"resume:" + key.encode(), hashlib.sha256).hexdigest()


def hash_codes(apps, schema_editor):
    Invitation = apps.get_model("fieldwork", "Invitation")
    Response = apps.get_model("fieldwork", "Response")
    rows = Invitation.objects.exclude(state__in=("completed", "expired")).only(
        "id", "token", "short_code"
    )
    for invitation in rows.iterator():
        Response.objects.filter(resume_hash=_resume(invitation.token), status="partial").update(
            resume_hash=_resume(f"i:{invitation.pk}")
        )
        Invitation.objects.filter(pk=invitation.pk).update(
            token_hash=_digest("token", invitation.token),
            code_hash=_digest("code", invitation.short_code),
        )


class Migration(migrations.Migration):
    dependencies = [("fieldwork", "0004_response_revision")]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="invitation",
            name="code_hash",
            field=models.CharField(editable=False, max_length=64, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="invitation",
            name="code_generation",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(hash_codes, migrations.RunPython.noop),
        migrations.RemoveField(model_name="invitation", name="token"),
        migrations.RemoveField(model_name="invitation", name="short_code"),
    ]
