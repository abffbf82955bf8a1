"""Use cases that change organisations."""
import datetime as dt

from django.db import transaction

from grants.accounts.models import Role, User
from grants.core.fiscal import wareki
from grants.core.models import record_event

from .models import MemberRole, Organization, Representative


class OrganizationError(Exception):
    """The change is not allowed; the message is in Japanese."""


def change_head(
    *, organization_id: int, actor: User, name: str, started_on: dt.date, user: User | None = None,
    title: str = "会長",
) -> Representative:
    """Hand the organisation to a new head (代表者の交代) from ``started_on``.

    The current term ends the day before; the new head (and their login ``user``, if any) acts for the
    organisation from then on, and sees its whole history, while the former head no longer does. Staff only.
    """
    if actor.role != Role.STAFF:
        raise OrganizationError("代表者の交代は協働推進課の担当者のみが登録できます。")
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization_id)
        return hand_over(org=org, actor=actor, name=name, started_on=started_on, user=user, title=title)


def hand_over(
    *, org: Organization, actor: User, name: str, started_on: dt.date, user: User | None = None, title: str = "会長",
) -> Representative:
    """The handover itself, inside the caller's transaction with ``org`` locked: the current head's term ends the
    day before ``started_on`` and the new head's begins. ``actor`` is who made it (staff, or the outgoing head who
    invited the new one: ``grants.organizations.invitations``). Raises ``OrganizationError``."""
    if not name.strip():
        raise OrganizationError("新しい代表者の氏名を入力してください。")
    current = org.representatives.heads().filter(ended_on__isnull=True).first()
    if current:
        if started_on <= current.started_on:
            raise OrganizationError("就任日は現在の代表者の就任日より後にしてください。")
        current.ended_on = started_on - dt.timedelta(days=1)
        current.save(update_fields=["ended_on"])
    new = Representative.objects.create(organization=org, user=user, name=name, title=title, started_on=started_on,
                                        role=MemberRole.HEAD)
    record_event(actor=actor, subject=org, action="change_head",
                 note=f"{current.name if current else '（なし）'} → {name}（{wareki(started_on)}就任）")
    return new
