from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "grants.programmes"
    label = "programmes"
    verbose_name = "事業"
