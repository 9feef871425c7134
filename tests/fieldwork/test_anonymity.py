"""Nothing leads from an invitation to a response or back (DESIGN.md §4)."""

from __future__ import annotations

import uuid

from django.db import models

from survey_platform.fieldwork import respondent as svc
from survey_platform.fieldwork import respondent_entry as entry
from survey_platform.fieldwork.models import Invitation, Response
from tests.fieldwork.fixtures import issue_code
from tests.fieldwork.test_concurrency import Form

FORBIDDEN_NAMES = {"invitation", "token", "code", "short_code", "email", "phone", "name", "ip",
                   "ip_address", "user_agent", "remote_addr"}  # fmt: skip


def test_no_relation_between_the_models():
    for field in Response._meta.get_fields():
        related = getattr(field, "related_model", None)
        assert related is not Invitation, field
        assert field.name not in FORBIDDEN_NAMES, field.name
    for field in Invitation._meta.get_fields():
        assert getattr(field, "related_model", None) is not Response, field
        # No timestamps: state changes could otherwise be matched to submission times.
        assert not isinstance(field, models.DateField | models.DateTimeField), field.name


def test_no_stored_value_links_a_submitted_response_to_its_invitation(invitation):
    code = issue_code(invitation)
    _session, key = entry.enter_with_token(code.token)
    session = svc.session_for_key(key)
    svc.response_save_page(
        session=session, page_code="A", data=Form({"A1": "2"}), language="zh-hans"
    )
    svc.response_submit(session=session, submission_id=str(uuid.uuid4()), language="zh-hans")
    invitation.refresh_from_db()
    response = Response.objects.get()
    assert response.resume_hash is None
    response_values = {
        str(v) for v in Response.objects.values().get().values() if v not in (None, "")
    }
    invitation_values = {
        str(v) for k, v in Invitation.objects.values().get().items()
        if v not in (None, "") and not isinstance(v, bool)
        and k not in {"wave_id", "station_id", "state", "channel",
                                              "reminders_sent"}
    }  # fmt: skip
    shared = response_values & invitation_values
    # The only values both rows may hold are the wave and the station (and small integers
    # such as ids that coincide by chance are excluded by comparing ids explicitly).
    assert not (shared - {str(response.pk), str(invitation.pk)}), shared
    assert str(invitation.pk) != str(response.pk) or Invitation.objects.count() == 1
    for value in (code.token, code.short_code, key, invitation.token_hash, invitation.code_hash):
        assert value not in repr(Response.objects.values().get())
