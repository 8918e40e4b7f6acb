from rest_framework.routers import SimpleRouter

from antt.units import api

router = SimpleRouter()
router.register("units", api.UnitViewSet, basename="unit")
urlpatterns = router.urls
