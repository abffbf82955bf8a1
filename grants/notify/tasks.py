"""The worker's task that mails one message (django-tasks, database backend), trying again with a growing wait
(``MAIL_RETRY_MINUTES``) until ``MAIL_MAX_ATTEMPTS`` attempts have failed."""
import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from grants.core import workflow

from .machines import NOTIFICATION
from .models import Notification, NotificationStatus

# What stands in a sent invitation's text for its link, which is not kept.
SENT_LINK = "（招待のリンクはメールでお送りしました。記録には残していません）"


def page_address(url: str) -> str:
    """The full address of a message's page: a path of the site after ``SITE_URL``; a full address as it is
    (an invitation's link, built by its page)."""
    if "://" in url:
        return url
    return f"{str(getattr(settings, 'SITE_URL', '')).rstrip('/')}{url}"


def message_text(note: Notification) -> str:
    """The mail's text: the message, the page's full address (unless the message already gives it), and who
    sent it."""
    parts = [note.body.rstrip()]
    link = page_address(note.url) if note.url else ""
    if link and link not in note.body:
        parts.append(f"詳しくは次のページをご覧ください。\n{link}")
    parts.append("このメールは山口市 補助金・交付金事務システムから自動で送信しています。返信はできません。")
    return "\n\n".join(parts) + "\n"


def retry_wait(attempts: int) -> dt.timedelta:
    """The wait before the attempt after ``attempts`` failed ones (the last of MAIL_RETRY_MINUTES thereafter)."""
    minutes = list(getattr(settings, "MAIL_RETRY_MINUTES", [5, 30, 120])) or [5]
    return dt.timedelta(minutes=minutes[min(attempts, len(minutes)) - 1])


def _wants_mail(note: Notification) -> bool:
    if not note.address:
        return False
    return note.official or note.recipient is None or bool(getattr(note.recipient, "optional_mail", True))


@task()
def deliver(notification_id: int) -> None:
    """Mail message ``notification_id`` if it is still queued: 送信済 once sent; 送信しない if its user turned
    optional mail off meanwhile; on an error, the attempt and the error are kept and the task queued again after
    the wait, or the message is 失敗 after the last attempt."""
    note = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if note is None or note.status != NotificationStatus.QUEUED:
        return
    if not _wants_mail(note):
        workflow.perform(NOTIFICATION, note.pk, "skip_mail", actor=None, note="お知らせメールを受け取らない設定です。")
        return
    try:
        EmailMessage(subject=note.subject, body=message_text(note), from_email=settings.DEFAULT_FROM_EMAIL,
                     to=[note.address]).send()
    except Exception as exc:
        _failed(note, f"{type(exc).__name__}: {exc}".replace("\x00", "")[:2000])
        return

    def count(act: workflow.Act[Notification]) -> None:
        act.obj.attempts += 1
        act.obj.last_error = ""
        if act.obj.event == "invitation" and act.obj.url:
            # The one-time link is the invitee's alone: once mailed, it is not kept (the invitation stores only its
            # hash); a failed mail keeps it, so that staff may send it again.
            act.obj.body = act.obj.body.replace(act.obj.url, SENT_LINK)
            act.obj.url = ""

    workflow.perform(NOTIFICATION, note.pk, "send_mail", actor=None, effect=count)


def _failed(note: Notification, error: str) -> None:
    attempts = note.attempts + 1
    last = attempts >= int(getattr(settings, "MAIL_MAX_ATTEMPTS", 4))

    def record(act: workflow.Act[Notification]) -> None:
        act.obj.attempts = attempts
        act.obj.last_error = error

    with transaction.atomic():
        workflow.perform(NOTIFICATION, note.pk, "fail_mail" if last else "retry_mail", actor=None, effect=record,
                         note=error.splitlines()[0][:200] if error else "")
        if not last:
            run_after = timezone.now() + retry_wait(attempts)
            transaction.on_commit(lambda: deliver.using(run_after=run_after).enqueue(note.pk))
