from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "antt.bench"
    label = "bench"
    verbose_name = "Dữ liệu tổng hợp và đo hiệu năng"
