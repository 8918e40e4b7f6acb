from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "antt.standards"
    label = "standards"
    verbose_name = _("Bộ tiêu chí")

    def ready(self) -> None:
        # Load and validate every criteria set at start-up: a broken data file stops the app.
        from antt.standards import catalog

        catalog.registry()
