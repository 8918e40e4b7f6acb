from django.urls import path

from antt.jobs import imports, views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="job-list"),
    path("import/", imports.import_data, name="data-import"),
    path("<int:pk>/", views.job_detail, name="job-detail"),
    path("<int:pk>/download/", views.job_download, name="job-download"),
    path("<int:pk>/retry/", views.job_retry, name="job-retry"),
    path("<int:pk>/confirm/", views.job_confirm, name="job-confirm"),
    path("evaluate/<str:code>/", views.evaluate_scope, name="evaluate-scope"),
]
