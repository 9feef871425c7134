from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from survey_platform.core import csp
from survey_platform.core.auth_views import LoginView
from survey_platform.core.health import healthz
from survey_platform.core.login_limits import rate_limited_login
from survey_platform.core.views import AuditLogView, HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path(
        "accounts/login/",
        LoginView.as_view(),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", AuditLogView.as_view(), name="audit-log"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("network/", include("survey_platform.network.urls")),
    path("instruments/", include("instruments.urls")),
    path("api/v1/", include("survey_platform.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's start-up script as a file of its own (?script): no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # ReDoc injects its styles at run time: the one page with a relaxed style-src.
    path(
        "api/redoc/",
        csp_override(csp.REDOC)(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
    path("fieldwork/", include("survey_platform.fieldwork.urls")),
    path("jobs/", include("survey_platform.jobs.urls")),
    path("briefings/", include("reports.urls")),
    path("exports/", include("survey_platform.exports.urls")),
    path("", include("survey_platform.fieldwork.respondent_urls")),
    # Admin's log-in behind the same limiter as the site's (matched before admin's own).
    path("admin/login/", rate_limited_login(admin.site.login)),
    path("admin/", admin.site.urls),
]
