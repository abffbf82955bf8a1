"""お知らせ and mail in a real browser, each page checked by axe and within the Content-Security-Policy: a head
opens ホーム's unread message (it goes to its page and is read), turns optional mail off; staff queue a failed
mail again from the メール送信記録."""
import pytest

from grants.accounts.models import Role
from grants.core import workflow
from grants.notify.machines import NOTIFICATION
from grants.notify.models import Notification, NotificationStatus
from grants.notify.services import notify
from tests import factories
from tests.pages.browser import done, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_head_reads_a_message_and_turns_optional_mail_off(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    head = factories.UserFactory(username="b-head", role=Role.ASSOCIATION_HEAD, email="b-head@example.jp")
    notify(event="decision", recipients=[head], subject="【交付が決定しました】2026-x-00001", body="本文",
           url="/notifications/")
    log_in(page, live_server.url, head.username)
    page.get_by_role("heading", name="お知らせ（未読 1件）").wait_for()
    check_a11y(page, "notify-home")
    page.get_by_role("link", name="【交付が決定しました】2026-x-00001").click()
    page.get_by_role("heading", name="お知らせ", exact=True).wait_for()
    assert Notification.objects.get().read_at is not None
    check_a11y(page, "notify-list")
    page.get_by_role("link", name="メールの受け取りの設定").click()
    page.get_by_role("heading", name="メールの受け取り").wait_for()
    check_a11y(page, "notify-settings")
    page.get_by_label("お知らせメール（期限のお知らせなど）を受け取る").uncheck()
    page.get_by_role("button", name="保存する").click()
    done(page, "メールの受け取りの設定を保存しました。")
    head.refresh_from_db()
    assert head.optional_mail is False


def test_staff_queue_a_failed_mail_again(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    staff = factories.UserFactory(username="b-staff", role=Role.STAFF)
    (note,) = notify(event="payment_transferred", recipients=["kaikei@example.jp"], subject="【振込のお知らせ】x",
                     body="本文", url="/")
    workflow.perform(NOTIFICATION, note.pk, "fail_mail", actor=None, note="接続できません")
    log_in(page, live_server.url, staff.username)
    page.get_by_role("link", name="メール送信記録").click()
    page.get_by_role("heading", name="メール送信記録（補助金・交付金）").wait_for()
    check_a11y(page, "notify-mail-log")
    page.get_by_role("button", name="もう一度送る").click()
    done(page, "メールをもう一度送る手続をしました。")
    note.refresh_from_db()
    assert note.status == NotificationStatus.QUEUED
