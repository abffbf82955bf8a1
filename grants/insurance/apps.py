from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "grants.insurance"
    verbose_name = "コミュニティ活動保険"
