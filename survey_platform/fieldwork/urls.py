from django.urls import include, path

from . import views

app_name = "fieldwork"

urlpatterns = [
    path("waves/", views.WaveListView.as_view(), name="waves"),
    path("waves/<str:code>/", views.WaveDetailView.as_view(), name="wave"),
    path("waves/<str:code>/copy/", views.WaveCopyView.as_view(), name="wave-copy"),
    path("waves/<str:code>/do/<str:action>/", views.WaveActionView.as_view(), name="wave-action"),
    path("my/", views.MyWavesView.as_view(), name="my-waves"),
    path("", include("survey_platform.fieldwork.monitoring_urls")),
    path("", include("survey_platform.fieldwork.invitation_urls")),
    path("", include("survey_platform.fieldwork.quality_urls")),
    path("", include("survey_platform.fieldwork.grievance_urls")),
]
