from django.urls import path

from . import respondent_views as views

urlpatterns = [
    path("a/<str:key>/", views.StartView.as_view(), name="respondent-start"),
    path("a/<str:key>/<str:page>/", views.PageView.as_view(), name="respondent-page"),
    path("thanks/", views.done_view, name="respondent-done"),
    path("code/", views.CodeEntryView.as_view(), name="respondent-code"),
    path("s/<str:token>/", views.OpenLinkView.as_view(), name="respondent-open"),
]
