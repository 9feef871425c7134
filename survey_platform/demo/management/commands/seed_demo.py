from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from survey_platform.demo.briefings import seed_briefing
from survey_platform.demo.fieldwork import DEMO_WAVE, demo_invitation, seed_waves
from survey_platform.demo.network import DEMO_USERS, seed_network
from survey_platform.fieldwork.models import Wave


class Command(BaseCommand):
    help = (
        "Load the demo station network, population margins, demo users, questionnaires "
        "and simulated survey waves (idempotent: what exists is left as it is)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--base-url",
            default="",
            help="Printed before the respondent link, e.g. http://127.0.0.1:8000",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base = options["base_url"].rstrip("/")
        created = seed_network()
        office = get_user_model().objects.get(username="office")
        created |= seed_waves(office)
        created["briefings"] = seed_briefing(office, base)
        # The first line is a summary (scripts/serve.sh leaves it out of its banner).
        self.stdout.write(
            "Demo data: {stations} stations, {margins} margins, {users} users, "
            "{instruments} questionnaires, {waves} waves, {briefings} briefings created "
            "(existing rows are left as they are).".format(**created)
        )
        self.stdout.write("Demo logins (user / password):")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<10} / {demo.password:<20} {demo.description}")
        self.stdout.write("Survey waves (simulated responses; ground truth in var/ground_truth/):")
        for wave in Wave.objects.order_by("opens_at"):
            completes = sum(wave.quotas.values_list("completes", flat=True))
            targets = sum(wave.quotas.values_list("target", flat=True))
            self.stdout.write(
                f"  {wave.code:<8} {wave.kind:<14} {wave.status:<8} {completes}/{targets} completes"
            )
        code = demo_invitation(Wave.objects.get(code=DEMO_WAVE))
        self.stdout.write(
            f"Answer the questionnaire as a respondent: {base}/a/{code.token}/\n"
            f"  (or type the code {code.display} at {base}/code/; a new code each run)"
        )
