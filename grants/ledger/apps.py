from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "grants.ledger"
    label = "ledger"
    verbose_name = "予算・台帳"
