"""URLs of the quality pages (office only)."""

from django.urls import path

from . import quality_views

urlpatterns = [
    path("waves/<str:code>/quality/", quality_views.QualityView.as_view(), name="quality"),
    path(
        "waves/<str:code>/quality/run/",
        quality_views.QualityRunView.as_view(),
        name="quality-run",
    ),
    path(
        "waves/<str:code>/quality/exclude/",
        quality_views.QualityExcludeView.as_view(),
        name="quality-exclude",
    ),
]
