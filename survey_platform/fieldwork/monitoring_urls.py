"""URLs of the monitoring pages."""

from django.urls import path

from . import monitoring_views as views

urlpatterns = [
    path("quotas/<int:pk>/", views.StationDashboardView.as_view(), name="station-dashboard"),
    path("waves/<str:code>/monitor/", views.OfficeMonitorView.as_view(), name="office-monitor"),
    path(
        "waves/<str:code>/monitor.csv",
        views.OfficeMonitorCsvView.as_view(),
        name="office-monitor-csv",
    ),
]
