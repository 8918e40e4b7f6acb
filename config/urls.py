from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from antt.recognition import views_cycle as cycle_views

urlpatterns = [
    path("", cycle_views.work_list, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("antt.accounts.urls")),
    path("units/", include("antt.units.urls")),
    path("records/", include("antt.records.urls")),
    path("standards/", include("antt.standards.urls")),
    path("reports/", include("antt.reports.urls")),
    path("cycle/", include("antt.recognition.urls_cycle")),
    path("documents/", include("antt.recognition.urls_documents")),
    path("verify/", include("antt.recognition.urls_verify")),
    path("api/v1/", include("config.api_urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:  # pragma: no cover
    pass
