from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "grants.core"
    label = "core"
    verbose_name = "共通"
