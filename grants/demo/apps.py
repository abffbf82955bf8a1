from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "grants.demo"
    label = "demo"
    verbose_name = "デモ"
