from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "grants.evaluation"
    verbose_name = "事業の評価"
