"""Keeps the role groups and their model permissions in place after every migrate.

Permissions only exist after the post_migrate signal has created them, so this cannot be
a data migration; it runs on post_migrate instead and is idempotent.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

from .roles import LEADERSHIP_GROUP, OFFICE_GROUP

# Office admins manage the network, users and briefings in the admin; the audit trail is
# theirs to read, never to edit.
OFFICE_APPS = ("network", "instruments", "reports")
OFFICE_EXTRA = (
    ("core", "view_auditevent"),
    ("auth", "view_user"),
    ("auth", "add_user"),
    ("auth", "change_user"),
)


def sync_role_groups(**kwargs: Any) -> None:
    office, _ = Group.objects.get_or_create(name=OFFICE_GROUP)
    Group.objects.get_or_create(name=LEADERSHIP_GROUP)
    perms = list(Permission.objects.filter(content_type__app_label__in=OFFICE_APPS))
    for app_label, codename in OFFICE_EXTRA:
        perms.extend(
            Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
    office.permissions.add(*perms)
