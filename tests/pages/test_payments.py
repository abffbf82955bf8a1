"""Payment orders (概算払・精算払) in the finance pages: the queue lists approved orders beside approved 自治会
cases, both go into one batch, and the batch page names each order."""

import pytest
from django.urls import reverse

from grants.cases import orders, services
from grants.cases.batches import create_payment_batch
from grants.cases.models import GrantCase
from grants.core.fiscal import wareki
from grants.ledger.models import BatchItem, OrderStatus, PaymentBatch, PaymentOrder, TransferSettings
from grants.ledger.transfers import earliest_transfer_date
from tests import factories
from tests.cases.steps import approved_simple_case, login, messages_of
from tests.pages.case_pages import decided

pytestmark = pytest.mark.django_db


def approved_orders(case, staff, finance):  # type: ignore[no-untyped-def]
    result = []
    for order in case.payment_orders.order_by("number"):
        orders.prepare_order(order_id=order.pk, actor=staff)
        result.append(orders.approve_order(order_id=order.pk, actor=finance))
    return result


def test_queue_lists_approved_orders_and_batches_them_with_cases(client, council, katsudo, staff, approver, finance,
                                                                 finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    first, second = approved_orders(case, staff, finance)
    simple = approved_simple_case(staff, approver, finance)
    html = login(client, finance2).get(reverse("payment_queue")).content.decode()
    for text in ("概算払・精算払の支出命令", "概算払 第1回", "500,000円", "概算払 第2回", "250,000円",
                 f'name="order" value="{first.pk}"', f'name="case" value="{simple.pk}"', case.reference):
        assert text in html, text

    response = client.post(reverse("payment_queue"), {
        "order": [str(first.pk), str(second.pk)], "case": [str(simple.pk)],
        "transfer_date": earliest_transfer_date().isoformat(), "note": "11月分"}, follow=True)
    batch = PaymentBatch.objects.get()
    assert messages_of(response) == ["振込バッチを作成しました。別の会計課職員が承認してください。"]
    assert sorted(i.amount for i in BatchItem.objects.filter(batch=batch)) == [70_000, 250_000, 500_000]
    html = response.content.decode()
    assert "概算払 第1回" in html and "概算払 第2回" in html and "交付金" in html
    assert "（概算払）" not in html  # the label already says it (it read 概算払 第1回（概算払）)
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
    assert first.status == OrderStatus.SENT  # posted; paid once the bank reports the transfer
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert f"振込予定（{wareki(batch.transfer_date)}）" in html and "500,000円" in html


# Payment batches: gathered by one finance user, approved by another, payments posted with the file; the
# bank's result per payment; a returned transfer reverses its payment and puts it back in the queue.


def test_pages_build_approve_and_download_the_zengin_file(client, approved_case, finance, finance2, transfer_day, transfer_settings, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from tests.reports.zengin_parser import parse_zengin

    settings.MEDIA_ROOT = tmp_path
    client.force_login(finance)
    response = client.post(reverse("payment_queue"), {"case": [approved_case.pk], "transfer_date": transfer_day,
                                                      "note": "11月分"})
    batch = PaymentBatch.objects.get()
    assert response.url == reverse("payment_batch", args=[batch.pk])
    assert "振込バッチを承認し" not in client.get(response.url).content.decode()  # not for its preparer
    client.logout()
    client.force_login(finance2)
    client.post(reverse("approve_batch", args=[batch.pk]))
    download = client.get(reverse("batch_file", args=[batch.pk]))
    data = b"".join(download.streaming_content)
    records = parse_zengin(data)
    assert all(len(r["_bytes"]) == 120 for r in records)
    assert data.count(b"\r\n") == 4 and len(data) == 4 * 122
    header, payee, trailer, _end = records
    assert (header["振込依頼人コード"], header["振込依頼人名"], header["振込指定日"]) == (
        "1234567890", "ﾔﾏｸﾞﾁｼ", f"{transfer_day:%m%d}"
    )
    assert (payee["被仕向銀行番号"], payee["被仕向支店番号"], payee["受取人名"], payee["振込金額"]) == (
        "0170", "001", "ｵｵﾄｼﾀﾞｲ1ｼﾞﾁｶｲ", "0000070000"
    )
    assert (trailer["合計件数"], trailer["合計金額"]) == ("000001", "000000070000")


def test_batch_page_queries_do_not_grow_with_items(client, programme_year, staff, approver, finance, finance2, transfer_day) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse


    clerk = factories.UserFactory(username="clerk", role="staff")

    def approved(n: int) -> list[int]:
        ids = []
        for org in factories.AssociationFactory.create_batch(n):
            factories.BankAccountFactory(organization=org)
            factories.RepresentativeFactory(organization=org)
            case = GrantCase(programme_year=programme_year, organization=org)
            services.apply_count(case, 10)
            case.save()
            services.submit_application(case_id=case.pk, actor=clerk)
            services.verify_application(case_id=case.pk, actor=staff)
            services.decide_grant(case_id=case.pk, actor=approver)
            services.prepare_payment(case_id=case.pk, actor=staff)
            services.approve_payment(case_id=case.pk, actor=finance)
            ids.append(case.pk)
        return ids

    client.force_login(finance)
    counts = []
    for n in (1, 6):
        batch = create_payment_batch(actor=finance, case_ids=approved(n), transfer_date=transfer_day)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("payment_batch", args=[batch.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.real_result_day
def test_batch_page_warns_while_the_training_setting_lets_results_come_early(client, approved_case, finance, finance2, transfer_day, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    login(client, finance)
    page = client.get(reverse("payment_batch", args=[batch.pk])).content.decode()
    assert "研修用の設定が有効です" not in page
    transfer_settings.early_results = True
    transfer_settings.save()
    page = client.get(reverse("payment_batch", args=[batch.pk])).content.decode()
    assert "研修用の設定が有効です" in page
