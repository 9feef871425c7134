"""URL of the common grievances page (office only)."""

from django.urls import path

from . import grievance_views

urlpatterns = [
    path(
        "waves/<str:code>/grievances/",
        grievance_views.GrievancesView.as_view(),
        name="grievances",
    ),
]
