"""The batch page and the bank's result named by 顧客コード: each payment shows the code its record carried, and a
result recorded by code marks exactly that payment, even beside another payment to the same account; an unknown
code is refused with a message and nothing recorded."""
import pytest
from django.urls import reverse

from grants.cases.batches import approve_payment_batch, create_payment_batch
from grants.ledger.models import ItemResult
from reports.zengin_batch import batch_file
from tests.cases.steps import login, messages_of
from tests.reports.test_zengin_batch import two_advances_to_one_account

pytestmark = pytest.mark.django_db


def test_a_result_recorded_by_code_marks_exactly_that_payment(client, katsudo, council, staff, approver, finance,  # type: ignore[no-untyped-def]
                                                              finance2, transfer_day, transfer_settings):
    transfer_settings.early_results = True
    transfer_settings.save()
    case, (first, second) = two_advances_to_one_account(katsudo, council, staff, approver, finance)
    batch = create_payment_batch(actor=finance, order_ids=[first.pk, second.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    items = list(batch.items.order_by("pk"))
    url = reverse("payment_batch", args=[batch.pk])
    html = login(client, finance).get(url).content.decode()
    assert f"<td>{items[0].pk:010d}</td>" in html and f"<td>{items[1].pk:010d}</td>" in html
    assert 'id="result-by-code"' in html

    post = reverse("record_result_by_code", args=[batch.pk])
    response = client.post(post, {"code": "9999999", "amount": items[1].amount, "result": "returned",
                                  "reason": "口座なし"}, follow=True)
    assert messages_of(response) == [f"顧客コード「0009999999」は振込バッチ {batch.pk} の振込ファイルにありません。"]
    assert set(batch.items.values_list("result", flat=True)) == {ItemResult.SENT}

    # a mistyped code (or amount) names another payment than the result line: refused, nothing recorded
    response = client.post(post, {"code": str(items[1].pk), "amount": items[1].amount + 1, "result": "returned",
                                  "reason": "口座なし"}, follow=True)
    assert messages_of(response) == [
        f"顧客コード「{items[1].pk}」の振込金額は{items[1].amount:,}円で、入力された{items[1].amount + 1:,}円と一致"
        "しません。顧客コードと金額を確かめてください。"]
    assert set(batch.items.values_list("result", flat=True)) == {ItemResult.SENT}
    # nor is a result recorded without choosing it (no default)
    response = client.post(post, {"code": str(items[1].pk), "amount": items[1].amount, "reason": "口座なし"},
                           follow=True)
    assert messages_of(response) == ["顧客コード、振込金額と結果（振込完了または返却）を入力してください。"]
    assert set(batch.items.values_list("result", flat=True)) == {ItemResult.SENT}

    response = client.post(post, {"code": str(items[1].pk), "amount": items[1].amount, "result": "returned",
                                  "reason": "口座なし"}, follow=True)
    assert messages_of(response) == [
        f"{council[0].name}（案件 {case.reference}・{second.label}）の振込の結果を記録しました。"]
    results = dict(batch.items.values_list("payment_order_id", "result"))
    assert results == {first.pk: ItemResult.SENT, second.pk: ItemResult.RETURNED}
    assert batch.items.get(payment_order=second).return_reason == "口座なし"
