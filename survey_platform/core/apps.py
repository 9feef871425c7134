from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "survey_platform.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401  (connects the login/logout audit receivers)
        from .groups import sync_role_groups

        # Sent once per app, in INSTALLED_APPS order; running on every one means the last run
        # sees the permissions of all apps. The handler is idempotent and cheap.
        post_migrate.connect(sync_role_groups, dispatch_uid="core.sync_role_groups")
