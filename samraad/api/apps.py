from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "samraad.api"
    label = "api"
