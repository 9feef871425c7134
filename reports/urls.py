"""Mounted at /briefings/ (survey_platform/urls.py)."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.BriefingListView.as_view(), name="list"),
    path("generate/", views.GenerateView.as_view(), name="generate"),
    path("portal/", views.PortalView.as_view(), name="portal"),
    path("<int:pk>/", views.BriefingDetailView.as_view(), name="detail"),
    path("<int:pk>/pdf/", views.BriefingPdfView.as_view(), name="pdf"),
    path("<int:pk>/approve/", views.ApproveView.as_view(), name="approve"),
    path("<int:pk>/deliver/", views.DeliverView.as_view(), name="deliver"),
    path("stations/<int:pk>/report/", views.StationReportView.as_view(), name="station-report"),
]
