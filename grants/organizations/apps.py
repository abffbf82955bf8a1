from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "grants.organizations"
    label = "organizations"
    verbose_name = "団体"
