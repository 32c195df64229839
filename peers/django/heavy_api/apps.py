from django.apps import AppConfig


class HeavyApiConfig(AppConfig):
    name = "heavy_api"
