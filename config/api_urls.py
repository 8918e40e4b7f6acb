"""``/api/v1/``: URL names are ``api:<model>-<action>`` (``api:unit-list``, ``api:me``…)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from antt.accounts.api import MeView
from antt.core.api import AuditEventViewSet

app_name = "api"

router = SimpleRouter()
router.register("audit", AuditEventViewSet, basename="audit")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("me/", MeView.as_view(), name="me"),
    path("", include("antt.units.api_urls")),
    *router.urls,
]
