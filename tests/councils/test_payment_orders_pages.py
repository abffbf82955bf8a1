"""Payment orders (概算払・精算払) in the finance pages: the queue lists approved orders beside approved 自治会
cases, both go into one batch, and the batch page names each order."""
import pytest
from django.urls import reverse

from grants.cases import orders
from grants.cases import services as case_services
from grants.ledger.models import BatchItem, OrderStatus, PaymentBatch, PaymentOrder, TransferSettings
from grants.ledger.transfers import earliest_transfer_date
from tests import factories
from tests.councils.test_case_pages_setup import decided, login, messages_of

pytestmark = pytest.mark.django_db


def approved_orders(case, staff, finance):  # type: ignore[no-untyped-def]
    result = []
    for order in case.payment_orders.order_by("number"):
        orders.prepare_order(order_id=order.pk, actor=staff)
        result.append(orders.approve_order(order_id=order.pk, actor=finance))
    return result


def approved_simple_case(staff, approver, finance):  # type: ignore[no-untyped-def]
    """A 自治会 case whose payment is approved (支出承認済)."""
    year = factories.programme_year_with_budget(budget=5_000_000)
    association = factories.AssociationFactory()
    factories.BankAccountFactory(organization=association)
    head = factories.UserFactory(username="jichikai-head", role="association_head")
    factories.RepresentativeFactory(organization=association, user=head)
    factories.count(association, year.base_date, 120)
    case = case_services.GrantCase.objects.create(programme_year=year, organization=association)
    case_services.apply_count(case, 120)
    case.save()
    case_services.submit_application(case_id=case.pk, actor=head)
    case_services.verify_application(case_id=case.pk, actor=staff)
    case_services.decide_grant(case_id=case.pk, actor=approver)
    case_services.prepare_payment(case_id=case.pk, actor=staff)
    return case_services.approve_payment(case_id=case.pk, actor=finance)


def test_queue_lists_approved_orders_and_batches_them_with_cases(client, council, katsudo, staff, approver, finance,
                                                                 finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    first, second = approved_orders(case, staff, finance)
    simple = approved_simple_case(staff, approver, finance)
    html = login(client, finance2).get(reverse("payment_queue")).content.decode()
    for text in ("概算払・精算払の支出命令", "概算払 第1回（概算払）", "500,000円", "概算払 第2回", "250,000円",
                 f'name="order" value="{first.pk}"', f'name="case" value="{simple.pk}"', case.reference):
        assert text in html, text

    response = client.post(reverse("payment_queue"), {
        "order": [str(first.pk), str(second.pk)], "case": [str(simple.pk)],
        "transfer_date": earliest_transfer_date().isoformat(), "note": "11月分"}, follow=True)
    batch = PaymentBatch.objects.get()
    assert messages_of(response) == ["振込バッチを作成しました。別の会計課職員が承認してください。"]
    assert sorted(i.amount for i in BatchItem.objects.filter(batch=batch)) == [70_000, 250_000, 500_000]
    html = response.content.decode()
    assert "概算払 第1回（概算払）" in html and "概算払 第2回（概算払）" in html and "交付金" in html
    # Orders in a live batch leave the queue.
    html = client.get(reverse("payment_queue")).content.decode()
    assert "振込待ちの支払はありません。" in html


def test_queue_refusals(client, council, katsudo, staff, approver, finance, auditor) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    scheduled = case.payment_orders.get(number=2)
    approved = approved_orders(case, staff, finance)[0]
    # (approved_orders approved both; put one back for the test)
    PaymentOrder.objects.filter(pk=scheduled.pk).update(status=OrderStatus.SCHEDULED)
    assert login(client, staff).get(reverse("payment_queue")).status_code == 403
    html = login(client, auditor).get(reverse("payment_queue")).content.decode()
    assert "概算払 第1回" in html and "振込バッチを作成する" not in html
    response = client.post(reverse("payment_queue"), {"order": [str(approved.pk)],
                                                      "transfer_date": earliest_transfer_date().isoformat()},
                           follow=True)
    assert messages_of(response) == ["振込バッチは会計課の職員のみが扱えます。"]
    response = login(client, finance).post(reverse("payment_queue"), {
        "order": [str(scheduled.pk)], "transfer_date": earliest_transfer_date().isoformat()}, follow=True)
    assert messages_of(response) == [
        f"支出承認済でないか、すでに振込バッチに入っている支払があります（{case.organization.name} 概算払 第2回）。"]
    assert not PaymentBatch.objects.exists()


def test_batch_approval_pays_the_orders_shown_on_the_case_page(client, council, katsudo, staff, approver, finance,
                                                              finance2, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    TransferSettings.objects.create(requester_code="1234567890", requester_name_kana="ﾔﾏｸﾞﾁｼ", bank_code="0170",
                                    branch_code="001", account_type="2", account_number="7654321")
    case, _, _ = decided(katsudo, council, staff, approver)
    first, _ = approved_orders(case, staff, finance)
    login(client, finance).post(reverse("payment_queue"), {
        "order": [str(first.pk)], "transfer_date": earliest_transfer_date().isoformat()}, follow=True)
    batch = PaymentBatch.objects.get()
    response = login(client, finance2).post(reverse("approve_batch", args=[batch.pk]), follow=True)
    assert messages_of(response) == ["振込バッチを承認し、総合振込ファイルを作成しました。"]
    first.refresh_from_db()
    assert first.status == OrderStatus.PAID
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "支払済" in html and "500,000円" in html
