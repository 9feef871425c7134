from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from survey_platform.api import tokens
from survey_platform.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Create an API token for a user and print its key (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")
        parser.add_argument("--days", type=int, default=tokens.DEFAULT_DAYS,
                            help=f"validity in days (1–{tokens.MAX_DAYS})")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("No user “%(name)s”.") % {"name": options["username"]})
        try:
            token, key = tokens.token_create(
                actor=None,
                actor_repr="create_api_token",
                user=user,
                name=options["name"] or "manage.py create_api_token",
                days=options["days"],
            )
        except ValidationFailed as exc:
            raise CommandError(" ".join(m for msgs in exc.errors.values() for m in msgs)) from exc
        self.stdout.write(key)
        self.stderr.write(
            _("Token “%(name)s” for %(user)s, valid until %(until)s.")
            % {"name": token.name, "user": user.get_username(), "until": token.expires_at}
        )
