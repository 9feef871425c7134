from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from survey_platform.demo.network import DEMO_USERS, seed_network


class Command(BaseCommand):
    help = "Load the demo station network, population margins and demo users (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = seed_network()
        self.stdout.write(
            "Demo data: {stations} stations, {margins} margins, {users} users, "
            "{instruments} questionnaires created "
            "(existing rows are left as they are).".format(**created)
        )
        self.stdout.write("Demo logins (user / password):")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<10} / {demo.password:<20} {demo.description}")
