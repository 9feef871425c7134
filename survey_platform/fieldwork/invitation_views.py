"""Station staff pages for answer codes: roster import, printed codes, e-mails, reminders,
reissues and the open-link poster.

A code is shown once, where it is handed over (fieldwork/codes.py): issuing printed codes,
printing the roster's slips and reissuing a lost slip answer with the PDF of the new slips
directly; nothing can display a code afterwards. The list shows who has a code, never the
code, and viewing it is audited.

Every view fetches the quota through ``StationQuota.objects.for_user`` (another station's
quota is a 404); leadership and other users without a station role get 403.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from survey_platform.core.audit import audit
from survey_platform.core.errors import SurveyError, ValidationFailed
from survey_platform.core.models import AuditAction
from survey_platform.core.permissions import RoleRequiredMixin, signed_in
from survey_platform.core.roles import Role
from survey_platform.network.models import AGE_GROUP_LEVELS, TITLE_LEVELS

from . import invitations as svc
from . import posters
from .codes import IssuedCode
from .models import StationQuota
from .roster import MAX_BYTES, MAX_ROWS
from .selectors import invitation_state_counts

LANGUAGE_CHOICES = [("zh-hans", gettext_lazy("Chinese")), ("en", gettext_lazy("English"))]
PAGE_SIZE = 100


class RosterForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Roster file (CSV or Excel .xlsx)"))
    send_emails = forms.BooleanField(
        label=gettext_lazy("Send the invitation e-mails right away"), required=False, initial=True
    )
    language = forms.ChoiceField(label=gettext_lazy("E-mail language"), choices=LANGUAGE_CHOICES)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 2 MB. Split the roster into parts.")
            )
        return upload


class IssueCodesForm(forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("Number of printed codes"),
        min_value=1,
        max_value=svc.MAX_CODES_PER_ISSUE,
    )


class EmailForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("E-mail language"), choices=LANGUAGE_CHOICES)


class QuotaMixin(RoleRequiredMixin):
    required_roles = (Role.STATION, Role.OFFICE)
    # Set by the View this is mixed into.
    request: HttpRequest
    kwargs: dict[str, Any]

    def get_quota(self) -> StationQuota:
        try:
            return svc.quota_for_user(self.request.user, self.kwargs["pk"])
        except StationQuota.DoesNotExist as exc:
            raise Http404 from exc

    def base_url(self) -> str:
        return self.request.build_absolute_uri("/")


class InvitationsView(QuotaMixin, View):
    template_name = "fieldwork/invitations/invitations.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        quota = self.get_quota()
        audit(
            AuditAction.VIEW,
            actor=signed_in(request),
            obj=quota,
            request=request,
            data={"event": "invitations_viewed", "page": request.GET.get("page", "1")[:6]},
        )
        return self.render_page(quota)

    def render_page(self, quota: StationQuota, status: int = 200, **extra: Any) -> HttpResponse:
        language = svc.email_language(quota.wave)
        listing = svc.invitations_of(quota).order_by("name", "id")
        page = Paginator(listing, PAGE_SIZE).get_page(self.request.GET.get("page"))
        unprinted = svc.unprinted_invitations(quota).count()
        context = {
            "quota": quota,
            "wave": quota.wave,
            "station": quota.station,
            "editable": quota.wave.status in svc.EDITABLE_STATES,
            "can_remind": quota.wave.is_open,
            "counts": invitation_state_counts(quota),
            "channels": dict(
                listing.order_by()
                .values("channel")
                .annotate(n=Count("id"))
                .values_list("channel", "n")
            ),
            "total": page.paginator.count,
            "page": page,
            "rows": [
                (
                    inv,
                    TITLE_LEVELS.get(inv.title, inv.title),
                    AGE_GROUP_LEVELS.get(inv.age_group, ""),
                )
                for inv in page
            ],
            "unsent": len(svc.unsent_email_invitations(quota)),
            "reminder_count": svc.reminder_candidates(quota).count(),
            "max_reminders": svc.MAX_REMINDERS,
            "unprinted": unprinted,
            "max_slips": svc.MAX_CODES_PER_ISSUE,
            "can_reissue": quota.wave.status in svc.EDITABLE_STATES,
            "reissue_states": svc.NON_RESPONDENT_STATES,
            "open_link": posters.open_link(self.base_url(), quota),
            "max_rows": MAX_ROWS,
            "roster_form": RosterForm(initial={"language": language}),
            "issue_form": IssueCodesForm(initial={"count": 10}),
            "email_form": EmailForm(initial={"language": language}),
            **extra,
        }
        return render(self.request, self.template_name, context, status=status)

    def refuse(self, quota: StationQuota, exc: SurveyError) -> HttpResponse:
        return self.render_page(quota, status=exc.status_code, refusal=exc.message)


def _slips_response(quota: StationQuota, issued: list[IssuedCode], base_url: str) -> HttpResponse:
    """The PDF of freshly issued slips: the one and only time these codes are shown."""
    body = posters.code_list_pdf(quota, issued, base_url)
    first = issued[0].invitation.pk if issued else 0
    name = f"answer-codes-{quota.wave.code}-{quota.pk}-{first}.pdf"
    return _pdf_response(body, name)


class RosterImportView(InvitationsView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quota = self.get_quota()
        form = RosterForm(request.POST, request.FILES)
        if not form.is_valid():
            errors = [e for msgs in form.errors.values() for e in msgs]
            return self.render_page(quota, status=400, import_errors=errors, roster_form=form)
        upload = form.cleaned_data["file"]
        try:
            result = svc.roster_import(
                actor=signed_in(request), quota=quota, data=upload.read(), filename=upload.name
            )
        except svc.RosterInvalid as exc:
            return self.render_page(
                quota,
                status=400,
                import_message=exc.message,
                row_errors=exc.row_errors,
                roster_form=form,
            )
        except ValidationFailed as exc:
            errors = [e for msgs in exc.errors.values() for e in msgs] or [exc.message]
            return self.render_page(quota, status=400, import_errors=errors, roster_form=form)
        except SurveyError as exc:
            return self.refuse(quota, exc)
        messages.success(
            request,
            _(
                "Roster imported: %(created)d new invitations (%(email)d by e-mail, %(print)d "
                "printed codes); %(in_file)d duplicate rows merged; %(existing)d people were "
                "already invited."
            )
            % {
                "created": result.created,
                "email": result.by_email,
                "print": result.printed,
                "in_file": result.merged_in_file,
                "existing": result.merged_existing,
            },
        )
        if form.cleaned_data["send_emails"] and result.by_email:
            queued = svc.invitation_emails_enqueue(
                actor=signed_in(request),
                quota=quota,
                base_url=self.base_url(),
                language=form.cleaned_data["language"],
                ids=list(result.created_ids),
            )
            messages.success(request, _("%(n)d invitation e-mails are being sent.") % {"n": queued})
        return redirect("fieldwork:invitations", pk=quota.pk)


class IssueCodesView(InvitationsView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quota = self.get_quota()
        form = IssueCodesForm(request.POST)
        if not form.is_valid():
            return self.render_page(quota, status=400, issue_form=form)
        try:
            # The PDF is made inside the issue: if it cannot be made, no code is issued.
            with transaction.atomic():
                issued = svc.codes_issue(
                    actor=signed_in(request), quota=quota, count=form.cleaned_data["count"]
                )
                return _slips_response(quota, issued, self.base_url())
        except SurveyError as exc:
            return self.refuse(quota, exc)


class PrintSlipsView(InvitationsView):
    """The slips of the roster's people without e-mail that have not been printed yet."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quota = self.get_quota()
        try:
            with transaction.atomic():
                issued = svc.slips_issue(actor=signed_in(request), quota=quota)
                return _slips_response(quota, issued, self.base_url())
        except SurveyError as exc:
            return self.refuse(quota, exc)


class ReissueView(InvitationsView):
    """One person's new code: a slip to print now, or a new e-mail."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, invitation: int) -> HttpResponse:
        quota = self.get_quota()
        actor = signed_in(request)
        try:
            with transaction.atomic():
                person, issued = svc.code_reissue(
                    actor=actor, quota=quota, invitation_id=invitation
                )
                if issued is not None:
                    return _slips_response(quota, [issued], self.base_url())
        except SurveyError as exc:
            return self.refuse(quota, exc)
        svc.invitation_emails_enqueue(
            actor=actor,
            quota=quota,
            base_url=self.base_url(),
            language=svc.email_language(quota.wave),
            ids=[person.pk],
        )
        messages.success(
            request,
            _("The old code no longer works. A new code is being e-mailed to %(name)s.")
            % {"name": person.name or person.email},
        )
        return redirect("fieldwork:invitations", pk=quota.pk)


class _SendEmailsView(InvitationsView):
    """Queue e-mails in the background; subclasses name the service and the message."""

    http_method_names = ["post"]
    enqueue: Any
    done_message: Any

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quota = self.get_quota()
        form = EmailForm(request.POST)
        if not form.is_valid():
            return self.render_page(quota, status=400, email_form=form)
        try:
            queued = self.enqueue(
                actor=signed_in(request),
                quota=quota,
                base_url=self.base_url(),
                language=form.cleaned_data["language"],
            )
        except SurveyError as exc:
            return self.refuse(quota, exc)
        messages.success(request, str(self.done_message) % {"n": queued})
        return redirect("fieldwork:invitations", pk=quota.pk)


class SendInvitationsView(_SendEmailsView):
    enqueue = staticmethod(svc.invitation_emails_enqueue)
    done_message = gettext_lazy("%(n)d invitation e-mails are being sent.")


class SendRemindersView(_SendEmailsView):
    enqueue = staticmethod(svc.reminders_enqueue)
    done_message = gettext_lazy("%(n)d reminders are being sent.")


class OpenLinkToggleView(InvitationsView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quota = self.get_quota()
        enabled = request.POST.get("enabled") == "1"
        try:
            svc.open_link_set(actor=signed_in(request), quota=quota, enabled=enabled)
        except SurveyError as exc:
            return self.refuse(quota, exc)
        messages.success(
            request,
            _("The open station link is on.") if enabled else _("The open station link is off."),
        )
        return redirect("fieldwork:invitations", pk=quota.pk)


def _pdf_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class PosterPngView(InvitationsView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        quota = self.get_quota()
        png = posters.qr_png(posters.open_link(self.base_url(), quota))
        response = HttpResponse(png, content_type="image/png")
        if request.GET.get("download"):
            filename = f"station-qr-{quota.wave.code}-{quota.pk}.png"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response


class PosterPdfView(InvitationsView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        quota = self.get_quota()
        try:
            svc.check_editable(quota.wave)
        except SurveyError as exc:
            return self.refuse(quota, exc)
        body = posters.poster_pdf(quota, self.base_url())
        return _pdf_response(body, f"poster-{quota.wave.code}-{quota.pk}.pdf")
