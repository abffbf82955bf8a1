"""The worker's mail (grants.notify.tasks.deliver): a mail server that fails is tried again after the waits of
MAIL_RETRY_MINUTES, each attempt and its error kept, until it is sent or MAIL_MAX_ATTEMPTS attempts failed; the
staff may queue a failed one again; a user who turned optional mail off meanwhile is not mailed."""
import datetime as dt

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from grants.accounts.models import Role
from grants.core import workflow
from grants.core.models import AuditEvent
from grants.notify import tasks
from grants.notify.models import Notification, NotificationStatus
from grants.notify.services import notify, requeue
from tests import factories

pytestmark = pytest.mark.django_db

FAILURES = {"left": 0}


class FlakyBackend(EmailBackend):
    """locmem, except that the next ``FAILURES["left"]`` sends raise (a mail server down)."""

    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        if FAILURES["left"] > 0:
            FAILURES["left"] -= 1
            raise ConnectionRefusedError("接続できません")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _flaky(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "tests.notify.test_tasks.FlakyBackend"
    settings.MAIL_RETRY_MINUTES = [5, 30]
    settings.MAIL_MAX_ATTEMPTS = 3
    FAILURES["left"] = 0


@pytest.fixture
def work(run_worker, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run the worker (committing what it queues); ``later=True`` first brings every waiting retry due."""

    def run(later: bool = False) -> None:
        if later:
            DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - dt.timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            run_worker()

    return run


def _queued(django_capture_on_commit_callbacks, user) -> Notification:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = notify(event="decision", recipients=[user], subject="交付決定", body="本文", url="/cases/1/")
    return note


@pytest.fixture
def head(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="head", role=Role.ASSOCIATION_HEAD, email="head@example.jp")


def test_failing_twice_then_sent(head, work, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    FAILURES["left"] = 2
    note = _queued(django_capture_on_commit_callbacks, head)
    before = timezone.now()
    work()
    note.refresh_from_db()
    assert (note.status, note.attempts, mail.outbox) == (NotificationStatus.QUEUED, 1, [])
    assert "接続できません" in note.last_error
    waiting = DBTaskResult.objects.get(status="READY")
    assert before + dt.timedelta(minutes=5) <= waiting.run_after <= timezone.now() + dt.timedelta(minutes=5)
    work()  # not due yet: nothing happens
    note.refresh_from_db()
    assert note.attempts == 1
    work(later=True)
    note.refresh_from_db()
    assert (note.status, note.attempts) == (NotificationStatus.QUEUED, 2)
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.run_after >= timezone.now() + dt.timedelta(minutes=29)  # the second wait
    work(later=True)
    note.refresh_from_db()
    assert (note.status, note.attempts, note.last_error) == (NotificationStatus.SENT, 3, "")
    assert [m.to for m in mail.outbox] == [["head@example.jp"]]
    actions = list(AuditEvent.objects.filter(machine="notification", object_id=note.pk).order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["retry_mail", "retry_mail", "send_mail"]


def test_always_failing_is_failed_after_the_last_attempt_and_staff_queue_it_again(  # type: ignore[no-untyped-def]
        head, staff, work, django_capture_on_commit_callbacks) -> None:
    FAILURES["left"] = 99
    note = _queued(django_capture_on_commit_callbacks, head)
    work()
    work(later=True)
    work(later=True)
    note.refresh_from_db()
    assert (note.status, note.attempts, mail.outbox) == (NotificationStatus.FAILED, 3, [])
    assert not DBTaskResult.objects.filter(status="READY").exists()
    work(later=True)
    note.refresh_from_db()
    assert note.attempts == 3  # nothing more is tried
    FAILURES["left"] = 0
    with django_capture_on_commit_callbacks(execute=True):
        requeue(note.pk, actor=staff)
    note.refresh_from_db()
    assert (note.status, note.attempts) == (NotificationStatus.QUEUED, 0)
    work()
    note.refresh_from_db()
    assert note.status == NotificationStatus.SENT and len(mail.outbox) == 1


def test_only_a_failed_mail_is_queued_again_and_only_by_its_area_staff(head, staff, insurance,  # type: ignore[no-untyped-def]
                                                                        django_capture_on_commit_callbacks) -> None:
    note = _queued(django_capture_on_commit_callbacks, head)
    with pytest.raises(workflow.ActionRefused, match="もう一度送ることはできません"):
        requeue(note.pk, actor=staff)
    with pytest.raises(Notification.DoesNotExist):
        requeue(note.pk, actor=insurance)  # a grants message: not in the 保険担当's log
    with pytest.raises(Notification.DoesNotExist):
        requeue(note.pk, actor=head)


def test_turned_off_before_the_worker_came(work, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    user = factories.UserFactory(username="u", email="u@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = notify(event="report_due", recipients=[user], subject="期限", body="本文", url="/")
    user.optional_mail = False
    user.save(update_fields=["optional_mail"])
    work()
    note.refresh_from_db()
    assert note.status == NotificationStatus.SKIPPED and mail.outbox == []


def test_the_mail_is_from_the_city_with_the_page_link(head, work, settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    settings.DEFAULT_FROM_EMAIL = "city@example.jp"
    settings.SITE_URL = "https://hojokin.example.jp"
    _queued(django_capture_on_commit_callbacks, head)
    work()
    (message,) = mail.outbox
    assert message.from_email == "city@example.jp"
    assert "https://hojokin.example.jp/cases/1/" in message.body


def test_an_invitations_full_link_is_neither_prefixed_with_the_site_nor_repeated(  # type: ignore[no-untyped-def]
        work, settings, django_capture_on_commit_callbacks) -> None:
    """Attack: the invitation's page stores its full link (https://…/invite/<token>/) as the message's page; the
    mail once read 「詳しくは次のページ」 https://site.example.jphttp://…/invite/… after the link in the text."""
    settings.SITE_URL = "https://hojokin.example.jp"
    link = "https://hojokin.example.jp/invite/abc/"
    with django_capture_on_commit_callbacks(execute=True):
        notify(event="invitation", recipients=["new@example.jp"], subject="招待",
               body=f"次のリンクを開いてください。\n{link}\n", url=link)
        notify(event="invitation", recipients=["other@example.jp"], subject="招待", body="本文", url=link)
    work()
    first, second = sorted(mail.outbox, key=lambda m: m.to)
    assert first.to == ["new@example.jp"] and first.body.count(link) == 1
    assert "jphttp" not in first.body + second.body
    assert second.body.count(link) == 1  # a full link not in the text is added as it is


def test_a_sent_invitation_keeps_no_link(  # type: ignore[no-untyped-def]
        work, settings, django_capture_on_commit_callbacks) -> None:
    """The invitation stores only its link's hash: once the mail is out, the message row must not keep the link
    either (it did, for ever, in its text and its page)."""
    link = "https://hojokin.example.jp/invite/secret-token/"
    with django_capture_on_commit_callbacks(execute=True):
        sent, = notify(event="invitation", recipients=["new@example.jp"], subject="招待",
                       body=f"次のリンクを開いてください。\n{link}\n", url=link)
    work()
    assert link in mail.outbox[0].body
    sent.refresh_from_db()
    assert sent.status == NotificationStatus.SENT
    assert "secret-token" not in sent.body + sent.url and tasks.SENT_LINK in sent.body
