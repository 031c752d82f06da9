from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "samraad.reports"
    verbose_name = "Reports"
