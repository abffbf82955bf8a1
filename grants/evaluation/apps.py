"""評価 (evaluation of funded work): targets and indicators stated in the application, results and 自己評価 in the
実績報告, 相互評価 and 第三者評価 by members of the 協働推進委員会, and the results fed to next year's screening."""
from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "grants.evaluation"
    verbose_name = "事業の評価"

    def ready(self) -> None:
        # The assignment's machine and its guards, and the listener that asks for targets and results, register at
        # import.
        from . import machines, targets  # noqa: F401
