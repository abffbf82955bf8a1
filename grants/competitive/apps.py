"""市民活動交流事業補助金 (the competitive programme): the call, the groups, the panel and the scores, the
selection and the 消費税仕入控除税額 report. Everything after 採択 is the shared full lifecycle."""
from django.apps import AppConfig


class CompetitiveConfig(AppConfig):
    name = "grants.competitive"
    verbose_name = "市民活動交流事業補助金"

    def ready(self) -> None:
        # The workflow, the machines, their effects and the check providers register at import.
        from . import applications, calls, checks, groups, panel, selection, tax, workflows  # noqa: F401
