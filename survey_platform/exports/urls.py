"""Export pages: the office's per wave, the station staff's per station quota."""

from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("waves/<str:code>/", views.WaveExportView.as_view(), name="wave"),
    path(
        "waves/<str:code>/stations/",
        views.StationExportsToggleView.as_view(),
        name="wave-stations",
    ),
    path("quotas/<int:pk>/", views.StationExportView.as_view(), name="station"),
]
