from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "帳票・出力"

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the export job kinds)
