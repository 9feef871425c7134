"""/api/v1/: one router for every app's API (namespace ``api``).

Anything under /api/v1/ that no route matches is a JSON 404 in the error format, never
the HTML page of the site.
"""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from instruments.api import InstrumentViewSet, VersionViewSet
from survey_platform.api import auth, briefings, fieldwork, jobs, network, respondent, responses
from survey_platform.api.views import not_found

app_name = "api"

# SimpleRouter: no browsable root view and no `.json` suffix routes, which the schema
# would not show (every route here is documented and tested).
router = SimpleRouter()
router.register("regions", network.RegionViewSet, basename="region")
router.register("sectors", network.SectorViewSet, basename="sector")
router.register("stations", network.StationViewSet, basename="station")
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("instrument-versions", VersionViewSet, basename="instrument-version")
router.register("waves", fieldwork.WaveViewSet, basename="wave")
router.register("quotas", fieldwork.QuotaViewSet, basename="quota")
router.register("responses", responses.ResponseViewSet, basename="response")
router.register("jobs", jobs.JobViewSet, basename="job")
router.register("briefings", briefings.BriefingViewSet, basename="briefing")
router.register("tokens", auth.TokenViewSet, basename="token")

urlpatterns = [
    *router.urls,
    path("me/", auth.MeView.as_view(), name="me"),
    path(
        "respondent/open/<str:token>/",
        respondent.OpenLinkStartView.as_view(),
        name="respondent-open",
    ),
    path("respondent/session/", respondent.SessionStartView.as_view(), name="respondent-session"),
    path("respondent/form/", respondent.FormView.as_view(), name="respondent-form"),
    path(
        "respondent/pages/<str:page>/",
        respondent.SavePageView.as_view(),
        name="respondent-page",
    ),
    path("respondent/submit/", respondent.SubmitView.as_view(), name="respondent-submit"),
    re_path(r"^.*$", not_found, name="not-found"),
]
