from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "grants.notify"
    label = "notify"
    verbose_name = "お知らせ・メール"

    def ready(self) -> None:
        from grants.competitive import panel
        from grants.core import workflow
        from grants.evaluation import assignments

        from . import machines, rail  # noqa: F401  (registers the mail's machine)

        workflow.listen(rail.on_act)
        panel.on_assign(rail.panel_assigned)
        assignments.on_assign(rail.evaluation_assigned)
