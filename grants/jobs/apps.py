from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "grants.jobs"
    label = "jobs"
    verbose_name = "バックグラウンド処理"

    def ready(self) -> None:
        from . import machines  # noqa: F401  (registers the job's machine)
