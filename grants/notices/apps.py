from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "grants.notices"
    label = "notices"
    verbose_name = "通知書"

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the batch-printing job kind)
