from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "grants.notices"
    label = "notices"
    verbose_name = "通知書"

    def ready(self) -> None:
        # App modules import models, which are loaded only after every AppConfig exists.
        from grants.core import workflow

        from . import checks  # noqa: F401  (registers the deployment check of the sender's name)
        from .services import issue_for_act

        # The layers below name a notice in their workflows (``notice:decision``); this issues it.
        workflow.set_notice_issuer("notice", issue_for_act)
