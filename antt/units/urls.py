from django.urls import path

from antt.units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="unit-list"),
    path("<str:code>/", views.unit_detail, name="unit-detail"),
]
