"""The pages of お知らせ and mail: ホーム lists the user's messages (unread first), opening one marks it read and goes
to its page; the mail setting; the staff's メール送信記録 of their area only, without the text, where a failed
mail is queued again (the 監査 reads only)."""
import pytest
from django.urls import reverse

from grants.accounts.models import Role
from grants.core import workflow
from grants.notify.machines import NOTIFICATION
from grants.notify.models import Notification, NotificationStatus
from grants.notify.services import notify
from tests import factories

pytestmark = pytest.mark.django_db


def _note(user_or_address, event="decision", subject="【交付が決定しました】2026-x-00001", body="本文です。",  # type: ignore[no-untyped-def]
          url="/cases/1/"):
    (note,) = notify(event=event, recipients=[user_or_address], subject=subject, body=body, url=url)
    return note


def _fail(note: Notification) -> None:
    workflow.perform(NOTIFICATION, note.pk, "fail_mail", actor=None,
                     effect=lambda act: setattr(act.obj, "attempts", 4))


@pytest.fixture
def head(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="head", role=Role.ASSOCIATION_HEAD, email="head@example.jp")


def test_home_lists_the_users_messages_unread_first(client, head) -> None:  # type: ignore[no-untyped-def]
    read = _note(head, subject="既読のお知らせ")
    Notification.objects.filter(pk=read.pk).update(read_at="2026-01-01T00:00:00Z")
    _note(head, subject="新しいお知らせ")
    _note(factories.UserFactory(username="other"), subject="他人のお知らせ")
    client.force_login(head)
    page = client.get(reverse("home")).content.decode()
    assert "お知らせ（未読 1件）" in page
    assert page.index("新しいお知らせ") < page.index("既読のお知らせ")
    assert "他人のお知らせ" not in page and "本文です。" not in page


def test_opening_marks_read_and_goes_to_the_page(client, head) -> None:  # type: ignore[no-untyped-def]
    note = _note(head, url="/cases/42/")
    client.force_login(head)
    response = client.get(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/cases/42/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_another_users_message_is_not_found(client, head) -> None:  # type: ignore[no-untyped-def]
    note = _note(head)
    client.force_login(factories.UserFactory(username="other", role=Role.ASSOCIATION_HEAD))
    assert client.get(reverse("notification_open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_an_outside_url_is_never_followed(client, head) -> None:  # type: ignore[no-untyped-def]
    note = _note(head, url="//evil.example.com/")
    client.force_login(head)
    assert client.get(reverse("notification_open", args=[note.pk]))["Location"] == reverse("notification_list")


def test_the_mail_setting(client, head) -> None:  # type: ignore[no-untyped-def]
    client.force_login(head)
    page = client.get(reverse("mail_settings")).content.decode()
    assert "head@example.jp" in page and "必ずメールでお送りします" in page and "交付決定・不交付・額の確定" in page
    # Only the kinds a 自治会長 receives: not the panel's assignments nor the insurer's silence, nor the invitation
    assert "審査の割当て" not in page and "保険会社からの回答待ち" not in page and "団体への招待" not in page
    response = client.post(reverse("mail_settings"), {})
    assert response.status_code == 302
    head.refresh_from_db()
    assert head.optional_mail is False
    client.post(reverse("mail_settings"), {"optional_mail": "on"})
    head.refresh_from_db()
    assert head.optional_mail is True


def test_the_mail_log_shows_the_area_without_the_text(client, staff, insurance, head) -> None:  # type: ignore[no-untyped-def]
    _note(head, body="秘密の招待リンク https://x/invite/abc")
    _note("guest@example.jp", event="invitation", subject="団体への招待", body="招待リンク https://x/invite/def")
    _note(head, event="claim_reminder", subject="保険金請求の督促")
    client.force_login(staff)
    page = client.get(reverse("mail_log")).content.decode()
    assert "guest@example.jp" in page and "団体への招待" in page and "交付が決定しました" in page
    assert "invite" not in page and "保険金請求の督促" not in page
    assert "送信待ち" in page
    client.force_login(insurance)
    page = client.get(reverse("mail_log")).content.decode()
    assert "保険金請求の督促" in page and "団体への招待" not in page


def test_the_mail_log_filters(client, staff, head) -> None:  # type: ignore[no-untyped-def]
    _note(head, subject="決定の件")
    failed = _note(head, event="payment_transferred", subject="振込の件")
    _fail(failed)
    client.force_login(staff)
    page = client.get(reverse("mail_log"), {"status": "failed"}).content.decode()
    assert "振込の件" in page and "決定の件" not in page
    page = client.get(reverse("mail_log"), {"event": "decision"}).content.decode()
    assert "決定の件" in page and "振込の件" not in page


def test_staff_queue_a_failed_mail_again(client, staff, head, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    note = _note(head)
    _fail(note)
    client.force_login(staff)
    assert "もう一度送る" in client.get(reverse("mail_log")).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("mail_log"), {"requeue": note.pk})
    assert response.status_code == 302 and len(callbacks) == 1
    note.refresh_from_db()
    assert (note.status, note.attempts) == (NotificationStatus.QUEUED, 0)
    response = client.post(reverse("mail_log"), {"requeue": note.pk}, follow=True)
    assert "もう一度送ることはできません" in response.content.decode()


def test_the_auditor_reads_but_does_not_queue(client, auditor, head) -> None:  # type: ignore[no-untyped-def]
    note = _note(head)
    _fail(note)
    client.force_login(auditor)
    page = client.get(reverse("mail_log")).content.decode()
    assert "失敗" in page and "もう一度送る" not in page
    assert client.post(reverse("mail_log"), {"requeue": note.pk}).status_code == 403
    note.refresh_from_db()
    assert note.status == NotificationStatus.FAILED


@pytest.mark.parametrize("role", [Role.APPROVER, Role.FINANCE, Role.ASSOCIATION_HEAD, Role.PANEL])
def test_others_have_no_mail_log(client, role) -> None:  # type: ignore[no-untyped-def]
    client.force_login(factories.UserFactory(username="x", role=role))
    assert client.get(reverse("mail_log")).status_code == 403


def test_the_admin_shows_neither_the_text_nor_the_link_of_a_message(client, root,  # type: ignore[no-untyped-def]
                                                                    django_capture_on_commit_callbacks) -> None:
    """An invitation's message carries its one-time link: an administrator reading the mail log cannot use it."""
    with django_capture_on_commit_callbacks(execute=False):
        message, = notify(event="invitation", recipients=["new@example.jp"], subject="招待",
                          body="リンク: /invite/SECRET-TOKEN/", url="/invite/SECRET-TOKEN/")
    client.force_login(root)
    page = client.get(reverse("admin:notify_notification_change", args=[message.pk])).content.decode()
    assert "招待" in page and "SECRET-TOKEN" not in page


def test_the_mail_setting_lists_a_panel_member_their_own_kinds(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(factories.UserFactory(username="panel", role=Role.PANEL))
    page = client.get(reverse("mail_settings")).content.decode()
    assert "審査の割当て" in page and "交付決定・不交付・額の確定" not in page and "必ずお送りするメール" not in page


def test_the_mail_log_says_why_a_message_was_not_mailed(client, staff, head) -> None:  # type: ignore[no-untyped-def]
    nobody = factories.UserFactory(username="noaddress", role=Role.ASSOCIATION_HEAD, email="")
    head.optional_mail = False
    head.save(update_fields=["optional_mail"])
    no_address = _note(nobody, subject="宛先なしの件名")
    turned_off = _note(head, event="report_due", subject="受け取らない件名")
    assert {no_address.status, turned_off.status} == {NotificationStatus.SKIPPED}
    client.force_login(staff)
    page = client.get(reverse("mail_log")).content.decode()
    assert "メールアドレスの登録なし" in page and "受け取らない設定" in page
