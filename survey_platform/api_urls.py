"""/api/v1/: one router for every app's API."""

from rest_framework.routers import DefaultRouter

from instruments.api import InstrumentViewSet, VersionViewSet

router = DefaultRouter()
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("instrument-versions", VersionViewSet, basename="instrument-version")

urlpatterns = router.urls
