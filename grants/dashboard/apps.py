from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "grants.dashboard"
    label = "dashboard"
    verbose_name = "予算ダッシュボード"
