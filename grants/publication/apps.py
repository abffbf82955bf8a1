from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "grants.publication"
    verbose_name = "助成制度の案内"
