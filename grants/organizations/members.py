"""The roles a user holds in an object's organisation (代表者・会計・担当者), for the rail's ``org_roles``.

``member_roles(obj, user)`` is installed into ``grants.core.workflow`` at start-up (``apps.OrganizationsConfig``):
the rail asks it whether an applicant may take a step that only some of the organisation's members take (the head
submits, the 会計 enters receipts). It finds the organisation generically, by following ``organization`` or the
object's foreign keys (a claim's report, a payment order's case …), so no higher app registers anything.
"""
from collections.abc import Iterable
from typing import Any

from django.core import checks
from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from grants.accounts.models import Role, User
from grants.core import workflow

from .models import MemberRole, Organization, Representative

# Who within the organisation may take a step (``org_roles`` on the rail's edges and activities): the head alone
# submits, withdraws, requests and accepts (every act that changes the state); the head and the 会計 enter receipts
# and money lines; any member drafts content (application lines, the report's narrative, an accident's details).
BY_HEAD = frozenset({MemberRole.HEAD.value})
BY_HEAD_OR_TREASURER = frozenset({MemberRole.HEAD.value, MemberRole.TREASURER.value})
BY_ANY_MEMBER = frozenset({MemberRole.HEAD.value, MemberRole.TREASURER.value, MemberRole.CLERK.value})

# The foreign keys tried first, in this order, before any other: the usual ways an object reaches its organisation.
PREFERRED_PATHS = ("organization", "case", "report", "claim", "plan", "registration", "application", "change_request")
MAX_DEPTH = 4


def organization_id_of(obj: Any, depth: int = MAX_DEPTH) -> int | None:
    """The pk of the organisation ``obj`` belongs to: the object itself, its ``organization_id``, or found through
    its foreign keys (``PREFERRED_PATHS`` first, then the model's other foreign keys to anything but a user), at
    most ``MAX_DEPTH`` steps away; None when none leads to one."""
    if isinstance(obj, Organization):
        return obj.pk
    if not isinstance(obj, models.Model):
        return None
    org_id = getattr(obj, "organization_id", None)
    if org_id is not None:
        return int(org_id)
    if depth <= 0:
        return None
    for parent in _parents(obj):
        found = organization_id_of(parent, depth - 1)
        if found is not None:
            return found
    return None


def _parents(obj: models.Model) -> list[models.Model]:
    fields = [f for f in obj._meta.concrete_fields
              if (f.many_to_one or f.one_to_one) and f.related_model not in (None, User)]
    fields.sort(key=lambda f: (PREFERRED_PATHS.index(f.name) if f.name in PREFERRED_PATHS else len(PREFERRED_PATHS)))
    parents = []
    for field in fields:
        try:
            parent = getattr(obj, field.name)
        except ObjectDoesNotExist:
            continue
        if isinstance(parent, models.Model):
            parents.append(parent)
    return parents


def member_roles(obj: Any, user: Any) -> frozenset[str] | None:
    """The roles (``head``, ``treasurer``, ``clerk``) ``user`` holds today in ``obj``'s organisation; an empty set
    when they hold none there (or ``obj`` belongs to no organisation); None for a user who does not act for
    organisations (a city role, a 審査委員)."""
    if getattr(user, "role", None) != Role.ASSOCIATION_HEAD:
        return None
    org_id = organization_id_of(obj)
    if org_id is None:
        return frozenset()
    return frozenset(Representative.objects.current().filter(organization_id=org_id, user_id=user.pk)
                     .values_list("role", flat=True))


def org_role_errors(machines: Iterable[workflow.Machine[Any]]) -> list[str]:
    """What is wrong with the ``org_roles`` of ``machines``: every edge open to applicants must be the head's alone
    (each changes the state: a submission, a withdrawal, a request); every activity open to applicants must name
    which of the organisation's members take it (none named would let every member do it unnoticed)."""
    head = str(Role.ASSOCIATION_HEAD)
    known = set(BY_ANY_MEMBER)
    errors = []
    for machine in machines:
        for edge in machine.edges:
            if head in edge.roles and edge.org_roles != BY_HEAD:
                errors.append(f"machine {machine.name!r}: edge {edge.name!r} is open to applicants; "
                              "its org_roles must be the head's alone (BY_HEAD)")
        for activity in machine.activities:
            if head in activity.roles and (not activity.org_roles or not activity.org_roles <= known):
                errors.append(f"machine {machine.name!r}: activity {activity.name!r} is open to applicants; "
                              "it must name org_roles among head, treasurer, clerk")
    return errors


@checks.register()
def check_org_roles(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """Every edge and activity open to applicants says which members of the organisation take it."""
    return [checks.Error(message, id="organizations.E001") for message in org_role_errors(workflow.MACHINES.values())]
