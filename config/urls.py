from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django_otp.admin import OTPAdminSite  # type: ignore[import-untyped]

from antt.recognition import views_cycle as cycle_views

# The admin site asks for a verified second factor (django-otp), and signs in through our page.
admin.site.__class__ = OTPAdminSite

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
    path("jobs/", include("antt.jobs.urls")),
    path("api/v1/", include("config.api_urls")),
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="admin-login",
    ),
    path("admin/", admin.site.urls),
]
