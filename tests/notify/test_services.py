"""notify(): one message per recipient, written with the act (nothing when it rolls back), its mail sent by the
worker once the act commits; optional mail the user turned off is 送信しない; a key is written once; members and
staff_of name who hears."""
import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from grants.accounts.models import Role
from grants.core.models import AuditEvent
from grants.notify.models import Notification, NotificationStatus
from grants.notify.services import members, notify, staff_of
from tests import factories

pytestmark = pytest.mark.django_db


def _user(name: str, **kw):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username=name, email=f"{name}@example.jp", role=kw.pop("role", Role.ASSOCIATION_HEAD),
                                 **kw)


def _send(event: str, recipients: list, key: str = "") -> list[Notification]:  # type: ignore[type-arg]
    return notify(event=event, recipients=recipients, subject="件名です", body="本文です。", url="/cases/1/", key=key)


def test_one_message_per_recipient_mailed_after_the_commit(run_worker, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    a, b = _user("a"), _user("b")
    with django_capture_on_commit_callbacks(execute=True):
        written = _send("decision", [a, b, a, "guest@example.jp"])
    assert len(written) == 3 and {n.status for n in written} == {NotificationStatus.QUEUED}
    assert mail.outbox == []
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.jp", "b@example.jp", "guest@example.jp"]
    first = mail.outbox[0]
    assert first.subject == "件名です" and "本文です。" in first.body and "http://testserver/cases/1/" in first.body
    assert all(n.status == NotificationStatus.SENT and n.attempts == 1 and n.sent_at
               for n in Notification.objects.all())
    guest = Notification.objects.get(address="guest@example.jp")
    assert guest.recipient is None and guest.official
    assert AuditEvent.objects.filter(machine="notification", action="send_mail").count() == 3


@pytest.fixture(autouse=True)
def _site(settings):  # type: ignore[no-untyped-def]
    settings.SITE_URL = "http://testserver"


def test_a_rolled_back_act_writes_and_mails_nothing(run_worker, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    a = _user("a")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _send("decision", [a])
            raise RuntimeError("the act fails after the message")
    assert callbacks == []
    run_worker()
    assert not Notification.objects.exists() and mail.outbox == []


def test_optional_mail_turned_off_is_not_sent_but_shown(run_worker, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    quiet = _user("quiet", optional_mail=False)
    with django_capture_on_commit_callbacks(execute=True):
        (optional,) = _send("report_due", [quiet])
        (official,) = _send("decision", [quiet])
    run_worker()
    assert Notification.objects.get(pk=optional.pk).status == NotificationStatus.SKIPPED
    assert Notification.objects.get(pk=official.pk).status == NotificationStatus.SENT
    assert [m.to for m in mail.outbox] == [["quiet@example.jp"]]
    assert set(Notification.objects.filter(recipient=quiet)) == {optional, official}  # both on ホーム


def test_a_user_without_an_address_is_skipped(run_worker, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    nobody = factories.UserFactory(username="noaddr", email="")
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = _send("decision", [nobody])
    run_worker()
    assert note.status == NotificationStatus.SKIPPED and mail.outbox == []


def test_a_key_is_written_once_per_recipient(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    a, b = _user("a"), _user("b")
    assert len(_send("report_due", [a, "x@example.jp"], key="report:1:2026-12-06")) == 2
    assert len(_send("report_due", [a, b, "x@example.jp"], key="report:1:2026-12-06")) == 1
    assert len(_send("report_due", [a], key="report:1:2026-12-07")) == 1
    assert Notification.objects.filter(recipient=a).count() == 2


def test_the_database_refuses_a_second_message_of_a_key() -> None:
    a = _user("a")
    _send("report_due", [a], key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=a, address="a@example.jp", event="report_due", subject="s", body="b",
                                    key="k")
    _send("invitation", ["x@example.jp"], key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(address="x@example.jp", event="invitation", subject="s", body="b", key="k")


def test_an_unknown_event_is_refused() -> None:
    with pytest.raises(KeyError):
        _send("no_such_event", [_user("a")])


def test_members_are_the_current_terms_with_a_login() -> None:
    org = factories.AssociationFactory()
    head, old = _user("head"), _user("old")
    factories.RepresentativeFactory(organization=org, user=head, started_on=dt.date(2025, 4, 1))
    factories.RepresentativeFactory(organization=org, user=old, started_on=dt.date(2020, 4, 1),
                                    ended_on=dt.date(2025, 3, 31))
    factories.RepresentativeFactory(organization=factories.AssociationFactory(), user=_user("other"),
                                    started_on=dt.date(2025, 4, 1))
    assert members(org) == [head]


def test_members_by_role_in_the_organisation() -> None:
    org = factories.AssociationFactory()
    head, treasurer, clerk = _user("head"), _user("kaikei"), _user("tanto")
    gone = _user("gone", is_active=False)
    for user, role in ((head, "head"), (treasurer, "treasurer"), (clerk, "clerk"), (gone, "clerk")):
        factories.RepresentativeFactory(organization=org, user=user, role=role, started_on=dt.date(2025, 4, 1))
    factories.RepresentativeFactory(organization=org, user=None, role="clerk", name="ログインなし",
                                    started_on=dt.date(2025, 4, 1))
    assert members(org) == [head, treasurer, clerk]
    assert members(org, roles=("head", "treasurer")) == [head, treasurer]
    assert members(org, roles=("clerk",)) == [clerk]


def test_staff_of_an_area() -> None:
    staff, hoken = _user("s", role=Role.STAFF), _user("h", role=Role.INSURANCE)
    _user("gone", role=Role.STAFF, is_active=False)
    _user("fin", role=Role.FINANCE)
    assert staff_of("grants") == [staff]
    assert staff_of("insurance") == [hoken]


def test_a_subject_with_line_breaks_adds_no_header_and_is_sent(run_worker, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    """Attack: an organisation registered with a name holding a line break (a form sent by hand) whose subject
    once made every attempt fail (BadHeaderError) until the mail was 失敗; a header (Bcc:) never gets in."""
    a = _user("a")
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = notify(event="decision", recipients=[a], subject="【招待】悪い会\r\nBcc: evil@example.com\u2028の会計",
                         body="本文", url="/")
    run_worker()
    note.refresh_from_db()
    assert (note.subject, note.status) == ("【招待】悪い会 Bcc: evil@example.com の会計", NotificationStatus.SENT)
    (message,) = mail.outbox
    assert (message.subject, message.bcc, message.to) == (note.subject, [], ["a@example.jp"])
    assert message.message().get_all("Bcc") is None
