from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "grants.insurance"
    verbose_name = "コミュニティ活動保険"

    def ready(self) -> None:
        from . import machines  # noqa: F401  (registers the report's and the claim's machines)
