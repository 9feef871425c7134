from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    path("stations/", views.StationListView.as_view(), name="station-list"),
    path("stations/new/", views.StationCreateView.as_view(), name="station-create"),
    path("stations/<int:pk>/", views.StationDetailView.as_view(), name="station-detail"),
    path("stations/<int:pk>/edit/", views.StationUpdateView.as_view(), name="station-update"),
    path(
        "stations/<int:pk>/members/add/",
        views.MembershipAddView.as_view(),
        name="membership-add",
    ),
    path(
        "stations/<int:pk>/members/<int:membership_pk>/remove/",
        views.MembershipRemoveView.as_view(),
        name="membership-remove",
    ),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
]
