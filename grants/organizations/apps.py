from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "grants.organizations"
    label = "organizations"
    verbose_name = "団体"

    def ready(self) -> None:
        # App modules import models, which are loaded only after every AppConfig exists.
        from grants.core import workflow

        from . import invitations  # noqa: F401  (registers the invitation's machine)
        from .members import member_roles

        # The rail's edges name the roles within the applicant organisation (``org_roles``); this resolves them.
        workflow.set_member_roles(member_roles)
