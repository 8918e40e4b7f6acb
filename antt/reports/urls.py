from django.urls import path

from antt.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_page, name="report-summary"),
    path("download/", views.download, name="report-download"),
]
