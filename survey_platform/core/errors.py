"""One domain error hierarchy (pretix style). Messages are translated at raise time.

Views and the API map these to 4xx responses; services raise them and never return
half-done work, so a caller that catches one knows nothing was changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class SurveyError(Exception):
    status_code = 400
    default_message = _("The request could not be completed.")

    def __init__(self, message: StrOrPromise | None = None) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class ValidationFailed(SurveyError):
    """Bad input. ``errors`` maps field names ("__all__" for the whole object) to messages."""

    default_message = _("Please correct the errors below.")

    def __init__(
        self,
        errors: Mapping[str, Sequence[StrOrPromise]] | None = None,
        message: StrOrPromise | None = None,
    ) -> None:
        self.errors = {key: [str(m) for m in msgs] for key, msgs in (errors or {}).items()}
        super().__init__(message)


class PermissionDenied(SurveyError):
    status_code = 403
    default_message = _("You do not have permission to do this.")


class NotFound(SurveyError):
    status_code = 404
    default_message = _("Not found.")


class Conflict(SurveyError):
    status_code = 409
    default_message = _("This conflicts with the current state.")
