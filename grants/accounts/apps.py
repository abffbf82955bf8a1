from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "grants.accounts"
    label = "accounts"
    verbose_name = "利用者"
