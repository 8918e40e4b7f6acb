from django.urls import path

from antt.recognition import views as recognition_views
from antt.units.views import browse, imports

app_name = "units"
urlpatterns = [
    path("", browse.unit_list, name="unit-list"),
    path("import/", imports.import_units, name="unit-import"),
    path("<str:code>/<int:year>/", recognition_views.unit_year, name="unit-year"),
    path("<str:code>/", browse.unit_detail, name="unit-detail"),
]
