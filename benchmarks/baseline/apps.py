from django.apps import AppConfig


class BaselineConfig(AppConfig):
    """Only in benchmarks.settings: the stock-Wagtail search baseline of issue 8."""

    name = "benchmarks.baseline"
    label = "bench_baseline"
    default_auto_field = "django.db.models.BigAutoField"
