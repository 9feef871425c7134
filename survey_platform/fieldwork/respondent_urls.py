from django.urls import path

from . import respondent_views as views

urlpatterns = [
    # The personal link: the only URL that holds a code (see respondent_views).
    path("a/<str:token>/", views.EntryView.as_view(), name="respondent-start"),
    path("answer/", views.StartView.as_view(), name="respondent-resume"),
    path("answer/<str:page>/", views.PageView.as_view(), name="respondent-page"),
    path("thanks/", views.done_view, name="respondent-done"),
    path("code/", views.CodeEntryView.as_view(), name="respondent-code"),
    path("s/<str:token>/", views.OpenLinkView.as_view(), name="respondent-open"),
]
