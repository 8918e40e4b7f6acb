from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    name = "antt.recognition"
    label = "recognition"
    verbose_name = _("Xét duyệt, công nhận")
