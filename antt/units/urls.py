from django.urls import path

from antt.units.views import browse, imports

app_name = "units"
urlpatterns = [
    path("", browse.unit_list, name="unit-list"),
    path("import/", imports.import_units, name="unit-import"),
    path("<str:code>/", browse.unit_detail, name="unit-detail"),
]
