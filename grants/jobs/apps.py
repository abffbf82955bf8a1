from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "grants.jobs"
    label = "jobs"
    verbose_name = "バックグラウンド処理"
