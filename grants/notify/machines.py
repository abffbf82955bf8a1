"""The machine of a message's mail (``grants.core.workflow``): queued → sent, skipped (the user turned optional
mail off, or there is no address) or failed after the last attempt; a failed attempt before the last leaves it
queued (``retry_mail``, its error on the audit trail). The city's staff may queue a failed one again."""
from typing import Any

from django.db.models import QuerySet

from grants.accounts.models import Role
from grants.core import workflow
from grants.core.workflow import SYSTEM, Edge, Machine

from .events import EVENTS, GRANTS, INSURANCE
from .models import Notification, NotificationStatus

QUEUED = frozenset({NotificationStatus.QUEUED})
WORKER = frozenset({SYSTEM})

# Who sees the mail log of which area: the 協働推進課 and the 監査委員事務局 the grants' messages, the 保険担当 the
# insurance's (the injured person's matters are theirs alone).
AREA_OF_ROLE: dict[str, str] = {Role.STAFF: GRANTS, Role.AUDITOR: GRANTS, Role.INSURANCE: INSURANCE}


def events_of(area: str) -> list[str]:
    return [name for name, e in EVENTS.items() if e.area == area]


def visible(user: Any) -> QuerySet[Notification]:
    """The messages whose mail ``user`` oversees (the log of their area); none for anyone else."""
    area = AREA_OF_ROLE.get(getattr(user, "role", ""))
    if area is None:
        return Notification.objects.none()
    return Notification.objects.filter(event__in=events_of(area))


NOTIFICATION: Machine[Notification] = workflow.register(Machine(
    name="notification", label="メール", model="notify.Notification",
    states=dict(NotificationStatus.choices),
    edges=(
        Edge("send_mail", "送信", QUEUED, NotificationStatus.SENT, WORKER, stamps="sent_at", page=""),
        Edge("skip_mail", "送信しない", QUEUED, NotificationStatus.SKIPPED, WORKER, page=""),
        Edge("retry_mail", "再試行", QUEUED, NotificationStatus.QUEUED, WORKER, page=""),
        Edge("fail_mail", "送信失敗", QUEUED, NotificationStatus.FAILED, WORKER, page=""),
        Edge("requeue_mail", "もう一度送る", frozenset({NotificationStatus.FAILED}), NotificationStatus.QUEUED,
             frozenset({Role.STAFF, Role.INSURANCE}), page="button",
             state_refusal="このメールは「{state}」のため、もう一度送ることはできません。"),
    ),
    visible=visible,
))
