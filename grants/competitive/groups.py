"""The registration of a 市民活動団体 (団体登録): the group registers itself (its organisation, representative,
contact, members, base, aims, bylaws and member list, 法人番号 for an NPO, bank account); city staff confirm it
(or return it with the reason) before the group can apply.

Errors: ``GroupError`` (Japanese, names the field); ``GroupRegistration.DoesNotExist`` for a registration the
user may not see (404).
"""
from __future__ import annotations

from django.db.models import QuerySet

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.workflow import Edge, Machine
from grants.organizations.models import Representative

from .models import GroupRegistration, RegistrationStatus


class GroupError(workflow.ActionRefused):
    """The act on a group's registration is not allowed, or its input is wrong (Japanese, names the field)."""


def visible_registrations(user: User) -> QuerySet[GroupRegistration]:
    """Registrations ``user`` may see: all for city users; their own group's for its current representative."""
    if not user.is_authenticated:
        return GroupRegistration.objects.none()
    if user.is_city_user:
        return GroupRegistration.objects.all()
    return GroupRegistration.objects.filter(
        organization_id__in=Representative.objects.current().filter(user=user).values("organization_id")
    )


GROUP_REGISTRATION: Machine[GroupRegistration] = workflow.register(Machine(
    name="group_registration", label="団体登録", model="competitive.GroupRegistration",
    states=dict(RegistrationStatus.choices),
    edges=(
        Edge("confirm_group", "登録を確認する", frozenset({RegistrationStatus.SUBMITTED}), RegistrationStatus.CONFIRMED,
             frozenset({Role.STAFF}), records="confirmed_by", stamps="confirmed_at",
             role_refusal="団体登録の確認は担当職員のみが行えます。",
             state_refusal="登録申請中の団体だけを確認できます。"),
        Edge("return_group", "差し戻す", frozenset({RegistrationStatus.SUBMITTED}), RegistrationStatus.RETURNED,
             frozenset({Role.STAFF}), note_required=True, tone="secondary",
             role_refusal="団体登録の差戻しは担当職員のみが行えます。",
             note_refusal="差戻しの理由（直していただく点）を入力してください。"),
        Edge("resubmit_group", "登録を申請し直す", frozenset({RegistrationStatus.RETURNED}),
             RegistrationStatus.SUBMITTED, frozenset({Role.ASSOCIATION_HEAD}), page="form",
             role_refusal="登録の申請は団体の代表者が行います。"),
    ),
    visible=lambda user: visible_registrations(user), related=("organization",), error=GroupError,
    activities=(
        workflow.Activity("edit_registration",
                          frozenset({RegistrationStatus.SUBMITTED, RegistrationStatus.RETURNED}),
                          frozenset({Role.ASSOCIATION_HEAD}),
                          "確認済の登録は、担当職員にご連絡のうえ変更してください。"),
    ),
))
