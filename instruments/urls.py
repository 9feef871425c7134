from django.urls import path

from . import views

app_name = "instruments"

urlpatterns = [
    path("", views.InstrumentListView.as_view(), name="list"),
    path("q/<slug:code>/", views.InstrumentDetailView.as_view(), name="instrument"),
    path("versions/<int:pk>/", views.VersionDetailView.as_view(), name="version"),
    path("versions/<int:pk>/preview/", views.VersionPreviewView.as_view(), name="preview"),
    path("versions/<int:pk>/diff/<int:other>/", views.VersionDiffView.as_view(), name="diff"),
    path("versions/<int:pk>/xlsform/", views.VersionXlsformView.as_view(), name="xlsform"),
    path("versions/<int:pk>/publish/", views.VersionPublishView.as_view(), name="publish"),
    path("versions/<int:pk>/copy/", views.VersionCopyView.as_view(), name="copy"),
    path("versions/<int:pk>/discard/", views.VersionDiscardView.as_view(), name="discard"),
]
