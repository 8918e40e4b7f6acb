from django.urls import path

from antt.standards import views

app_name = "standards"
urlpatterns = [
    path("", views.criteria_set_list, name="criteriaset-list"),
    path("<str:code>/", views.criteria_set_detail, name="criteriaset-detail"),
]
