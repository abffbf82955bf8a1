from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "grants.notices"
    label = "notices"
    verbose_name = "通知書"
