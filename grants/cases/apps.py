from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "grants.cases"
    label = "cases"
    verbose_name = "案件"

    def ready(self) -> None:
        # The workflows, the parts' machines, their effects, the check providers and the import job register at
        # import.
        from . import batches, bulk, checks, import_job, lifecycle, machines, orders, rules, workflows  # noqa: F401
        from .labels import register_action_names

        register_action_names()
