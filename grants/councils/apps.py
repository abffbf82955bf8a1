from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "grants.councils"
    verbose_name = "地域づくり協議会"

    def ready(self) -> None:
        # The 地域づくり計画's machine and check providers register at import.
        from . import checks, plans  # noqa: F401
