"""Answer codes of a station quota, through fieldwork.invitations (mixed into the quota
viewset): list, roster import, printed codes, e-mails, reminders, the open link.

Privacy: roster names, e-mail addresses and phone numbers never leave through the API.
Codes are credentials stored only as hashes (fieldwork/codes.py): the listing says whether
a code has been issued, never which; the reply that issues printed codes is the one place
they appear, once, for printing (audited).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from survey_platform.core.audit import audit
from survey_platform.core.models import AuditAction
from survey_platform.core.permissions import signed_in
from survey_platform.fieldwork import invitations as svc
from survey_platform.fieldwork.codes import IssuedCode
from survey_platform.fieldwork.models import Invitation, InvitationState, StationQuota
from survey_platform.fieldwork.posters import personal_link

from .base import (
    LANGUAGE_CHOICES,
    StrictSerializer,
    documented,
    example,
    page_example,
    parse,
    query_choice,
)
from .parsers import MultiPartParser
from .permissions import StationWork


class InvitationOut(serializers.ModelSerializer[Invitation]):
    has_code = serializers.BooleanField(
        read_only=True, help_text="A code has been issued (the code itself is never shown)."
    )

    class Meta:
        model = Invitation
        fields = ["id", "channel", "state", "email_sent", "reminders_sent", "has_code"]


class IssuedCodeOut(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="invitation.pk")
    short_code = serializers.CharField(
        source="display", help_text="The code typed at /code/. Shown this once only."
    )
    link = serializers.SerializerMethodField(help_text="The personal link. Shown this once only.")

    def get_link(self, code: IssuedCode) -> str:
        request = self.context.get("request")
        base = request.build_absolute_uri("/") if request is not None else "/"
        return personal_link(base, code)


class RosterIn(StrictSerializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or Excel .xlsx, at most 2 MB.")
    send_emails = serializers.BooleanField(default=True)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)


class ImportOut(serializers.Serializer[Any]):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    by_email = serializers.IntegerField()
    printed = serializers.IntegerField()
    merged_in_file = serializers.IntegerField()
    merged_existing = serializers.IntegerField()
    emails_queued = serializers.IntegerField()


class IssueIn(StrictSerializer):
    count = serializers.IntegerField(min_value=1, max_value=svc.MAX_CODES_PER_ISSUE)


class LanguageIn(StrictSerializer):
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES)


class QueuedOut(serializers.Serializer[Any]):
    queued = serializers.IntegerField(help_text="E-mails queued for sending.")


class OpenLinkIn(StrictSerializer):
    enabled = serializers.BooleanField()


QUOTA_EXAMPLE = {
    "id": 31, "wave": "2026-Q4", "station": 12, "station_name": "皖东理工学院调查站",
    "target": 120, "strata": {"title": {"senior": 10, "associate": 30}}, "completes": 57,
    "open_link_enabled": True, "open_link": "https://survey.example.cn/s/Xy3kQ9v2LmN8pR4tUw6zAb/",
}  # fmt: skip
INVITATION_EXAMPLE = {"id": 901, "channel": "print", "state": "sent", "email_sent": False,
                      "reminders_sent": 0, "has_code": True}  # fmt: skip
ISSUED_EXAMPLE = {"id": 901, "short_code": "ACDEF-GH347",
                  "link": "https://survey.example.cn/a/q3Jx0bYF6nSj1uWm8cTz2A/"}  # fmt: skip


class QuotaInvitationActions:
    def _quota(self) -> StationQuota:
        return self.get_object()  # type: ignore[attr-defined]

    def _context(self) -> dict[str, Any]:
        return self.get_serializer_context()  # type: ignore[attr-defined]

    @documented(
        summary="List answer codes",
        description="The station's invitations in the wave with their state and whether a "
        "code has been issued (the listing is audited). Codes, names and contact data are "
        "never listed.",
        parameters=[OpenApiParameter("state", str, enum=list(InvitationState.values))],
        responses={200: InvitationOut(many=True)},
        examples=[example("codes", page_example([INVITATION_EXAMPLE]))],
    )
    @action(detail=True, methods=["get"], permission_classes=[StationWork], filter_backends=[])
    def invitations(self, request: Request, pk: str | None = None) -> Response:
        quota = self._quota()
        rows = svc.invitations_of(quota).order_by("id")
        state = query_choice(request, "state", InvitationState.values)
        if state:
            rows = rows.filter(state=state)
        page = self.paginate_queryset(rows)  # type: ignore[attr-defined]
        data = InvitationOut(page, many=True, context=self._context()).data
        audit(
            AuditAction.DOWNLOAD,
            actor=signed_in(request),
            obj=quota,
            request=request._request,
            data={"event": "invitations_api", "rows": len(data)},
        )
        return self.get_paginated_response(data)  # type: ignore[attr-defined]

    @documented(
        summary="Import a roster",
        description="Issues one answer code per person of a CSV or XLSX roster (columns "
        "name, email, phone, title, age_group). All or nothing: any bad row refuses the "
        "whole file with every row's problem. People already invited in the wave are "
        "merged. With `send_emails` the invitation e-mails are queued at once.",
        request={"multipart/form-data": RosterIn},
        responses={201: ImportOut},
        examples=[example("imported", {"rows": 120, "created": 118, "by_email": 100,
                                       "printed": 18, "merged_in_file": 2, "merged_existing": 0,
                                       "emails_queued": 100}, status=201)],
    )  # fmt: skip
    @action(detail=True, methods=["post"], permission_classes=[StationWork],
            parser_classes=[MultiPartParser], url_path="invitations/import")  # fmt: skip
    def roster_import(self, request: Request, pk: str | None = None) -> Response:
        quota = self._quota()
        data = parse(RosterIn, request)
        upload = data["file"]
        result = svc.roster_import(
            actor=signed_in(request), quota=quota, data=upload.read(), filename=upload.name or ""
        )
        queued = 0
        if data["send_emails"] and result.by_email:
            queued = svc.invitation_emails_enqueue(
                actor=signed_in(request),
                quota=quota,
                base_url=request.build_absolute_uri("/"),
                language=data.get("language") or svc.email_language(quota.wave),
                ids=list(result.created_ids),
            )
        out = {
            name: getattr(result, name)
            for name in ImportOut().fields.keys()  # (the stubs iterate the fields themselves)
            if name != "emails_queued"
        }
        return Response({**out, "emails_queued": queued}, status=201)

    @documented(
        summary="Issue printed codes",
        description="Anonymous one-time codes to print and hand out (1–200 at a time). "
        "This reply is the only time the codes are shown: print them from it and keep no "
        "copy. A lost code is replaced with the reissue operation.",
        request=IssueIn,
        responses={201: IssuedCodeOut(many=True)},
        examples=[example("ten", {"count": 10}, request=True),
                  example("issued", [ISSUED_EXAMPLE], status=201)],
    )  # fmt: skip
    @action(detail=True, methods=["post"], permission_classes=[StationWork],
            url_path="invitations/issue", pagination_class=None)  # fmt: skip
    def issue_codes(self, request: Request, pk: str | None = None) -> Response:
        quota = self._quota()
        issued = svc.codes_issue(actor=signed_in(request), quota=quota, **parse(IssueIn, request))
        return Response(IssuedCodeOut(issued, many=True, context=self._context()).data, status=201)

    @documented(
        summary="Send invitation e-mails",
        description="Queues the invitation e-mail for every e-mail invitation not e-mailed "
        "yet (only while the wave takes new invitations).",
        request=LanguageIn,
        responses={200: QueuedOut},
        examples=[example("zh", {"language": "zh-hans"}, request=True),
                  example("queued", {"queued": 42})],
    )  # fmt: skip
    @action(detail=True, methods=["post"], permission_classes=[StationWork],
            url_path="invitations/send")  # fmt: skip
    def send_invitations(self, request: Request, pk: str | None = None) -> Response:
        return self._enqueue(request, svc.invitation_emails_enqueue)

    @documented(
        summary="Send reminders",
        description="Queues one reminder for every non-respondent with an e-mail address "
        "(at most 3 reminders per person; only while the wave is open).",
        request=LanguageIn,
        responses={200: QueuedOut},
        examples=[example("en", {"language": "en"}, request=True),
                  example("queued", {"queued": 17})],
    )  # fmt: skip
    @action(detail=True, methods=["post"], permission_classes=[StationWork],
            url_path="invitations/remind")  # fmt: skip
    def send_reminders(self, request: Request, pk: str | None = None) -> Response:
        return self._enqueue(request, svc.reminders_enqueue)

    def _enqueue(self, request: Request, service: Any) -> Response:
        quota = self._quota()
        data = parse(LanguageIn, request)
        queued = service(
            actor=signed_in(request),
            quota=quota,
            base_url=request.build_absolute_uri("/"),
            language=data["language"],
        )
        return Response({"queued": queued})

    @documented(
        summary="Switch the open station link",
        description="Turns the station's open link (poster QR code) on or off.",
        request=OpenLinkIn,
        examples=[
            example("off", {"enabled": False}, request=True),
            example("switched off", {**QUOTA_EXAMPLE, "open_link_enabled": False}),
        ],
    )
    @action(detail=True, methods=["post"], permission_classes=[StationWork], url_path="open-link")
    def open_link(self, request: Request, pk: str | None = None) -> Response:
        quota = self._quota()
        enabled = parse(OpenLinkIn, request)["enabled"]
        quota = svc.open_link_set(actor=signed_in(request), quota=quota, enabled=enabled)
        return Response(self.get_serializer(quota).data)  # type: ignore[attr-defined]
