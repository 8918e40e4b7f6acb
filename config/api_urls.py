"""``/api/v1/``: URL names are ``api:<model>-<action>`` (``api:unit-list``, ``api:me``…)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from antt.accounts.api import MeView, TokenDetailView, TokenListView
from antt.core.api import AuditEventViewSet
from antt.recognition import api as recognition_api
from antt.recognition import api_cycle
from antt.reports import api as reports_api
from antt.standards import api as standards_api

app_name = "api"

router = SimpleRouter()
router.register("audit", AuditEventViewSet, basename="audit")
router.register("registrations", api_cycle.RegistrationViewSet, basename="registration")
router.register("decisions", api_cycle.DecisionViewSet, basename="decision")
router.register("certificates", api_cycle.CertificateViewSet, basename="certificate")
router.register("authority-rules", api_cycle.AuthorityRuleViewSet, basename="authority-rule")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("me/", MeView.as_view(), name="me"),
    path("tokens/", TokenListView.as_view(), name="token-list"),
    path("tokens/<str:username>/", TokenDetailView.as_view(), name="token-detail"),
    path("", include("antt.units.api_urls")),
    path("standards/", standards_api.CriteriaSetListView.as_view(), name="standard-list"),
    path("standards/facts/", standards_api.FactCatalogueView.as_view(), name="standard-facts"),
    path(
        "standards/<str:code>/", standards_api.CriteriaSetDetailView.as_view(),
        name="standard-detail",
    ),
    path(
        "units/<str:code>/evaluation/", recognition_api.UnitEvaluationView.as_view(),
        name="unit-evaluation",
    ),
    path("evaluations/", recognition_api.ScopeEvaluationView.as_view(), name="evaluation-list"),
    path("reports/summary/", reports_api.SummaryView.as_view(), name="report-summary"),
    path("reports/review/", reports_api.ReviewView.as_view(), name="report-review"),
    *router.urls,
]
