"""The full-lifecycle case page in a real browser: a council secretary writes the application and its budget with
the forms, staff review it, the approver decides, the council starts a change and writes its report; axe finds
no WCAG 2.1 A/AA violation at any of these stages (every <details> opened, so that its form is checked too)."""
import pytest
from django.utils import timezone

from grants.cases.models import GrantCase, Status
from grants.ledger.models import OrderStatus
from tests import factories
from tests.councils import builders
from tests.councils.helpers import pay_orders
from tests.councils.steps import decided, prepare_and_approve, scheduled
from tests.factories import CURRENT_FY
from tests.pages.browser import done, log_in, open_case

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
]


def test_case_page_through_the_year_is_accessible(live_server, page, check_a11y, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    org, secretary = builders.council()
    staff = factories.UserFactory(username="tanto", role="staff")
    approver = factories.UserFactory(username="kessai", role="approver")
    finance = factories.UserFactory(username="kaikei", role="finance")
    finance2 = factories.UserFactory(username="kaikei2", role="finance")
    katsudo = builders.katsudo_year()
    builders.instalments(katsudo, [(1, 2)])
    plan = builders.approved_plan(org, staff)
    cats = builders.categories()
    case = builders.draft_case(katsudo, org)
    today = timezone.localdate().isoformat()

    log_in(page, live_server.url, secretary.username)
    open_case(page, live_server.url, case.pk)
    page.locator("#application-project_title").fill("防災訓練と水路補修")
    page.get_by_role("button", name="申請の概要を保存する").click()
    done(page, "申請の概要を保存しました。")
    for category, item, description, amount in (
        (cats["genzairyo"], "1-1-2", "水路補修の原材料", "600000"),
        (cats["shokuryohi"], "1-1-1", "訓練中の飲み物", "8000"),
    ):
        open_case(page, live_server.url, case.pk)
        page.get_by_label("費目", exact=True).select_option(str(category.pk))
        page.get_by_label("計画の施策・取組").select_option(str(builders.item(plan, item).pk))
        page.get_by_label("内容（必須）").fill(description)
        page.get_by_label("金額（円）（必須）").fill(amount)
        page.get_by_label("支出（予定）日").fill(today)
        if category.code == "shokuryohi":
            page.get_by_label("条件付きの費目の場合、その条件を満たすことを確認しました").check()
        page.get_by_role("button", name="明細を追加する").click()
        done(page, "明細を追加しました。")
    open_case(page, live_server.url, case.pk)
    check_a11y(page, "council_case_draft")
    page.get_by_role("button", name="交付申請書を提出する").click()
    page.locator("#case-status", has_text="申請済").wait_for()

    log_in(page, live_server.url, staff.username)
    open_case(page, live_server.url, case.pk)
    check_a11y(page, "council_case_review")
    page.locator("#verify-completion_deadline").fill(f"{CURRENT_FY + 1}-03-31")
    page.locator("#verify-conditions").fill("事業の内容を広報紙で周知すること")
    page.get_by_role("button", name="審査済にする（決裁へ回す）").click()
    done(page, "審査済にしました。")

    log_in(page, live_server.url, approver.username)
    open_case(page, live_server.url, case.pk)
    page.get_by_role("button", name="交付決定する", exact=True).click()
    page.locator("#case-status", has_text="交付決定済").wait_for()
    check_a11y(page, "council_case_decided_approver")

    case = GrantCase.objects.get(pk=case.pk)
    pay_orders(case, staff, finance, finance2)
    log_in(page, live_server.url, secretary.username)
    open_case(page, live_server.url, case.pk)
    page.locator("#change-reason").fill("訓練の規模を縮小するため")
    page.locator("#change-requested_amount").fill("500000")
    page.get_by_role("button", name="変更承認申請を作成する").click()
    done(page, "変更承認申請を作成しました。")
    open_case(page, live_server.url, case.pk)
    check_a11y(page, "council_case_change_draft")
    page.get_by_role("button", name="作成中の変更承認申請を取り下げる").click()
    done(page, "作成中の変更承認申請を取り下げました。")
    page.locator("#change-history", has_text="取下げ").wait_for()
    open_case(page, live_server.url, case.pk)
    page.locator("#report-narrative").fill("防災訓練と水路補修を行いました。")
    page.locator("#report-completed_on").fill(today)
    page.get_by_role("button", name="実績報告の概要を保存する").click()
    done(page, "実績報告の概要を保存しました。")
    open_case(page, live_server.url, case.pk)
    page.locator("#receipt-title").fill("原材料の領収書")
    page.locator("#receipt-file").set_input_files(
        files=[{"name": "r.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 receipt"}])
    page.get_by_role("button", name="領収書の写しを登録する").click()
    done(page, "領収書の写しを登録しました。")
    open_case(page, live_server.url, case.pk)
    check_a11y(page, "council_case_report_draft")
    assert GrantCase.objects.get(pk=case.pk).status == Status.DECIDED

    log_in(page, live_server.url, finance.username)
    open_case(page, live_server.url, case.pk)
    check_a11y(page, "council_case_finance")


# The case page as finance sees an approved advance (the send-back form added in this round) and as the council
# sees it: axe finds no WCAG 2.1 A/AA violation, and the send-back works from the page.


def test_approved_order_send_back_form_is_accessible_and_works(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    council = builders.council()
    staff = factories.UserFactory(username="tanto", role="staff")
    approver = factories.UserFactory(username="kessai", role="approver")
    finance = factories.UserFactory(username="kaikei", role="finance")
    factories.UserFactory(username="kaikei2", role="finance")
    katsudo = builders.katsudo_year()
    case, _, _ = decided(katsudo, council, staff, approver, shares=((1, 2), (1, 4)))
    order = prepare_and_approve(scheduled(case)[0], staff, finance)
    log_in(page, live_server.url, "kaikei2")
    page.goto(f"{live_server.url}/cases/{case.pk}/#orders")
    check_a11y(page, "adv4-approved-order-finance")
    page.get_by_label("差戻しの理由（必須）").first.fill("取消の予定があるため")
    page.get_by_role("button", name=f"{order.label}の支出命令を差し戻す").click()
    page.locator(".message-success", has_text="支出命令を差し戻しました。").wait_for()
    order.refresh_from_db()
    assert order.status == OrderStatus.SCHEDULED
    log_in(page, live_server.url, council[1].username)
    page.goto(f"{live_server.url}/cases/{case.pk}/#orders")
    check_a11y(page, "adv4-orders-council")
