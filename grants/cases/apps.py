from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "grants.cases"
    label = "cases"
    verbose_name = "案件"
