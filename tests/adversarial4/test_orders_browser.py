"""The case page as finance sees an approved advance (the send-back form added in this round) and as the council
sees it: axe finds no WCAG 2.1 A/AA violation, and the send-back works from the page."""
import pytest

from grants.ledger.models import OrderStatus
from tests import factories
from tests.councils import builders
from tests.councils.steps import decided, prepare_and_approve, scheduled

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def log_in(page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(factories.PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("heading", name="ホーム").wait_for()


def test_approved_order_send_back_form_is_accessible_and_works(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    council = builders.council()
    staff = factories.UserFactory(username="tanto", role="staff")
    approver = factories.UserFactory(username="kessai", role="approver")
    finance = factories.UserFactory(username="kaikei", role="finance")
    factories.UserFactory(username="kaikei2", role="finance")
    katsudo = builders.katsudo_year()
    case, _, _ = decided(katsudo, council, staff, approver, shares=((1, 2), (1, 4)))
    order = prepare_and_approve(scheduled(case)[0], staff, finance)
    log_in(page, live_server, "kaikei2")
    page.goto(f"{live_server.url}/cases/{case.pk}/#orders")
    check_a11y(page, "adv4-approved-order-finance")
    page.get_by_label("差戻しの理由（必須）").first.fill("取消の予定があるため")
    page.get_by_role("button", name=f"{order.label}の支出命令を差し戻す").click()
    page.locator(".message-success", has_text="支出命令を差し戻しました。").wait_for()
    order.refresh_from_db()
    assert order.status == OrderStatus.SCHEDULED
    log_in(page, live_server, council[1].username)
    page.goto(f"{live_server.url}/cases/{case.pk}/#orders")
    check_a11y(page, "adv4-orders-council")
