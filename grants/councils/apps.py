from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "grants.councils"
    verbose_name = "地域づくり協議会"
