from django.apps import AppConfig
from django_tasks_db.apps import TasksAppConfig


class JobsConfig(AppConfig):
    name = "grants.jobs"
    label = "jobs"
    verbose_name = "バックグラウンド処理"

    def ready(self) -> None:
        from . import machines  # noqa: F401  (registers the job's machine)


class TaskQueueConfig(TasksAppConfig):
    """django-tasks' database backend (the worker's queue), named in Japanese in the admin: the package ships no
    Japanese, and its 「Task Results」 stood among the Japanese models. The label, and so the tables and
    migrations, stay the package's."""

    verbose_name = "ワーカーの処理待ち行列"

    def ready(self) -> None:
        super().ready()
        meta = self.get_model("DBTaskResult")._meta
        meta.verbose_name = "ワーカーの処理"
        meta.verbose_name_plural = "ワーカーの処理"
