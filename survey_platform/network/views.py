"""Station network pages. Thin: forms parse, services write, selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from survey_platform.core.errors import ValidationFailed
from survey_platform.core.permissions import OfficeRequiredMixin, RoleRequiredMixin, signed_in
from survey_platform.core.roles import Role

from . import services
from .charts import coverage_chart
from .forms import MembershipForm, StationFilterForm, StationForm
from .models import Station, StationMembership
from .selectors import coverage_matrix, stations_for_user


def _apply_errors(form: Any, exc: ValidationFailed) -> None:
    for field, msgs in exc.errors.items():
        for msg in msgs:
            form.add_error(None if field == "__all__" or field not in form.fields else field, msg)


class StationListView(RoleRequiredMixin, ListView[Station]):
    required_roles = (Role.OFFICE, Role.STATION)
    template_name = "network/station_list.html"
    context_object_name = "stations"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Station]:
        qs = stations_for_user(self.request.user)
        self.filter_form = StationFilterForm(self.request.GET or None)
        if self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            if data["q"]:
                qs = qs.filter(
                    Q(name__icontains=data["q"]) | Q(host_institution__icontains=data["q"])
                )
            if data["region"]:
                qs = qs.filter(region=data["region"])
            if data["sector"]:
                qs = qs.filter(sector=data["sector"])
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class StationDetailView(RoleRequiredMixin, DetailView[Station]):
    required_roles = (Role.OFFICE, Role.STATION)
    template_name = "network/station_detail.html"
    context_object_name = "station"

    def get_queryset(self) -> QuerySet[Station]:
        return stations_for_user(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        members = self.object.memberships.select_related("user").order_by("role", "user__username")
        return super().get_context_data(members=members, membership_form=MembershipForm(), **kwargs)


class StationCreateView(OfficeRequiredMixin, FormView[StationForm]):
    template_name = "network/station_form.html"
    form_class = StationForm

    def form_valid(self, form: StationForm) -> HttpResponse:
        try:
            station = services.station_create(actor=signed_in(self.request), **form.cleaned_data)
        except ValidationFailed as exc:
            _apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Station “%(name)s” created.") % {"name": station})
        return redirect("network:station-detail", pk=station.pk)


class StationUpdateView(OfficeRequiredMixin, FormView[StationForm]):
    template_name = "network/station_form.html"
    form_class = StationForm

    @cached_property
    def station(self) -> Station:
        # Looked up lazily, after the role check in dispatch(): an anonymous visitor must be
        # sent to the login page, not told whether the station exists.
        return get_object_or_404(Station.objects.for_user(self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": Station.objects.get(pk=self.station.pk)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(station=self.station, **kwargs)

    def form_valid(self, form: StationForm) -> HttpResponse:
        try:
            station = services.station_update(
                actor=signed_in(self.request), station=self.station, **form.cleaned_data
            )
        except ValidationFailed as exc:
            _apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Station “%(name)s” saved.") % {"name": station})
        return redirect("network:station-detail", pk=station.pk)


class MembershipAddView(OfficeRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        station = get_object_or_404(Station.objects.for_user(request.user), pk=pk)
        form = MembershipForm(request.POST)
        target = reverse("network:station-detail", kwargs={"pk": station.pk})
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))  # (str already; the stubs are wider)
            return HttpResponseRedirect(target)
        try:
            services.membership_add(
                actor=signed_in(request),
                station=station,
                user=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
            )
        except ValidationFailed as exc:
            for msgs in exc.errors.values():
                for msg in msgs:
                    messages.error(request, msg)
        else:
            messages.success(request, _("Member added."))
        return HttpResponseRedirect(target)


class MembershipRemoveView(OfficeRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
        membership = get_object_or_404(
            StationMembership.objects.for_user(request.user), pk=membership_pk, station_id=pk
        )
        services.membership_remove(actor=signed_in(request), membership=membership)
        messages.success(request, _("Member removed."))
        return redirect("network:station-detail", pk=pk)


class CoverageView(OfficeRequiredMixin, TemplateView):
    template_name = "network/coverage.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        coverage = coverage_matrix()
        return super().get_context_data(coverage=coverage, chart=coverage_chart(coverage), **kwargs)
