from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="units:unit-list", permanent=False), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("antt.accounts.urls")),
    path("units/", include("antt.units.urls")),
    path("records/", include("antt.records.urls")),
    path("standards/", include("antt.standards.urls")),
    path("documents/", include("antt.recognition.urls_documents")),
    path("verify/", include("antt.recognition.urls_verify")),
    path("api/v1/", include("config.api_urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:  # pragma: no cover
    pass
