from django.urls import path

from . import views

urlpatterns = [
    path("<uuid:public_id>/", views.JobDetailView.as_view(), name="job-detail"),
    path("<uuid:public_id>/status/", views.JobStatusView.as_view(), name="job-status"),
    path("<uuid:public_id>/download/", views.JobDownloadView.as_view(), name="job-download"),
    path("<uuid:public_id>/retry/", views.JobRetryView.as_view(), name="job-retry"),
]
