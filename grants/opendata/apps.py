from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "grants.opendata"
    verbose_name = "オープンデータ"
