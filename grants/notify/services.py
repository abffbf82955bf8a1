"""Writing messages (お知らせ) and queueing their mail: ``notify`` inside the act's transaction, so that a rolled-back
act leaves neither a message nor a mail; ``members`` and ``staff_of`` name who hears of what."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.organizations.models import Organization, Representative

from .events import EVENTS, GRANTS, INSURANCE
from .machines import NOTIFICATION
from .models import Notification
from .tasks import deliver

ORG_ROLES = ("head", "treasurer", "clerk")
STAFF_OF_AREA = {GRANTS: Role.STAFF, INSURANCE: Role.INSURANCE}


def notify(*, event: str, recipients: Iterable[User | str], subject: str, body: str, url: str,
           key: str = "") -> list[Notification]:
    """Write one message of ``event`` to each recipient (a user, or a bare e-mail address for someone without an
    account) and queue its mail for when the current transaction commits. Call it inside the act's transaction.

    A non-official event to a user who turned optional mail off, or to a user without an address, is written
    (it shows on their ホーム) and marked 送信しない at once. With ``key``, a recipient already sent a message of
    that key is skipped (the database refuses a second one too), so a daily run made twice writes once. A
    recipient named twice gets one message. The subject's line breaks become spaces. Returns the messages
    written."""
    kind = EVENTS[event]
    # A subject is one line of the mail's header: a name typed with a line break (an organisation's, by a form
    # sent by hand) would make every mail of it fail (BadHeaderError) or, unchecked, add a header.
    subject = " ".join(part.strip() for part in subject.splitlines() if part.strip())
    written: list[Notification] = []
    seen: set[object] = set()
    for to in recipients:
        if isinstance(to, str):
            address, user = to.strip(), None
            ident: object = ("address", address.lower())
            if not address:
                continue
        else:
            address, user = (to.email or "").strip(), to
            ident = ("user", to.pk)
        if ident in seen:
            continue
        seen.add(ident)
        if key and _already(key, user, address):
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user, address=address, event=event, subject=subject[:200], body=body, url=url,
                    key=key, official=kind.official,
                )
        except IntegrityError:
            if key:  # written meanwhile by another run with the same key
                continue
            raise
        if not address or (user is not None and not kind.official and not getattr(user, "optional_mail", True)):
            why = "メールアドレスがありません。" if not address else "お知らせメールを受け取らない設定です。"
            workflow.perform(NOTIFICATION, note.pk, "skip_mail", actor=None, note=why)
            note.refresh_from_db()
        else:
            _enqueue_on_commit(note.pk)
        written.append(note)
    return written


def _already(key: str, user: User | None, address: str) -> bool:
    if user is not None:
        return Notification.objects.filter(key=key, recipient=user).exists()
    return Notification.objects.filter(key=key, recipient__isnull=True, address=address).exists()


def _enqueue_on_commit(notification_id: int) -> None:
    transaction.on_commit(lambda: deliver.enqueue(notification_id))


def requeue(notification_id: int, *, actor: User) -> Notification:
    """Queue a failed mail again (the staff's 「もう一度送る」): its attempts start again."""

    def reset(act: workflow.Act[Notification]) -> None:
        act.obj.attempts = 0

    with transaction.atomic():
        note = workflow.perform(NOTIFICATION, notification_id, "requeue_mail", actor=actor, effect=reset)
        _enqueue_on_commit(note.pk)
    return note


def members(organization: Organization, roles: Sequence[str] = ORG_ROLES) -> list[User]:
    """The users who act for ``organization`` today (a current term with a login), holding one of ``roles``
    (代表者 ``head``, 会計 ``treasurer``, 担当者 ``clerk``), each once, active ones only."""
    terms = Representative.objects.current().filter(organization=organization, user__isnull=False,
                                                    user__is_active=True, role__in=list(roles))
    users: dict[int, User] = {}
    for term in terms.select_related("user").order_by("pk"):
        if term.user is not None:
            users.setdefault(term.user.pk, term.user)
    return list(users.values())


def staff_of(area: str) -> list[User]:
    """The active users who hear of an area's internal events: the 保険担当 for insurance, the 協働推進課 for
    grants."""
    role = STAFF_OF_AREA[area]
    return list(get_user_model().objects.filter(role=role, is_active=True).order_by("pk"))


def inbox(user: User) -> QuerySet[Notification]:
    """The user's messages (ホーム's お知らせ), unread first, then newest first."""
    return (Notification.objects.filter(recipient=user)
            .order_by(F("read_at").asc(nulls_first=True), "-created_at", "-pk"))


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


