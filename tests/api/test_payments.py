"""Payments through the API: only the 会計課 and the 監査委員事務局 (the users the 振込 pages admit) read them, each
payment of the programme-year with its transfers and never an account number; three queries a page."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.ledger.models import BatchItem, PaymentOrder


@pytest.fixture
def user_of(request):  # type: ignore[no-untyped-def]
    return lambda role: request.getfixturevalue(role)


def test_finance_and_auditor_tokens_read_every_payment_of_the_programme_year(
        call, key_for, ledger_story, finance, auditor) -> None:  # type: ignore[no-untyped-def]
    orders = PaymentOrder.objects.filter(case__programme_year=ledger_story)
    bodies = [call("/api/v1/payments", key_for(user), programme_year=ledger_story.pk).json()
              for user in (finance, auditor)]
    assert bodies[0] == bodies[1]
    body = bodies[0]
    assert [i["id"] for i in body["items"]] == list(orders.order_by("pk").values_list("pk", flat=True))
    assert body["count"] == orders.count() == 3  # two paid, one decided and waiting
    paid = body["items"][0]
    assert paid["amount"] == 70_000 and paid["status_label"] and paid["case_reference"].endswith("号")


def test_a_payment_sent_to_the_bank_shows_its_batch_and_result_and_no_account(
        call, key_for, sent_batch, auditor) -> None:  # type: ignore[no-untyped-def]
    item = BatchItem.objects.select_related("batch", "case").get(batch=sent_batch)
    body = call("/api/v1/payments", key_for(auditor), programme_year=item.case.programme_year_id).json()
    (payment,) = body["items"]
    assert payment["id"] == item.payment_order_id and payment["amount"] == item.amount == 70_000
    assert payment["transfers"] == [{"batch_id": sent_batch.pk, "transfer_date": sent_batch.transfer_date.isoformat(),
                                     "result": item.result, "result_label": item.get_result_display()}]
    text = str(body)
    assert item.account_number not in text and item.holder_kana not in text


def test_other_roles_tokens_are_refused_the_payments_as_on_the_pages(
        call, client, key_for, ledger_story, user_of) -> None:  # type: ignore[no-untyped-def]
    for role in ["staff", "approver", "insurance", "panel", "evaluator", "association_head"]:
        user = user_of(role)
        response = call("/api/v1/payments", key_for(user), programme_year=ledger_story.pk)
        assert response.status_code == 403 and "会計課・監査委員事務局" in response.json()["detail"], role
        client.force_login(user)
        assert client.get("/payments/").status_code == 403, role  # the page's answer to the same user


def test_the_payments_need_a_programme_year(call, key_for, finance) -> None:  # type: ignore[no-untyped-def]
    response = call("/api/v1/payments", key_for(finance))
    assert response.status_code == 422 and "programme_year" in response.json()["detail"]


def test_a_page_of_payments_costs_the_same_queries_wherever_it_is(call, key_for, finance,
                                                                  ledger_story) -> None:  # type: ignore[no-untyped-def]
    key = key_for(finance)
    call("/api/v1/payments", key, programme_year=ledger_story.pk)
    counts = []
    for limit, offset in [(1, 0), (1, 1), (100, 0)]:
        with CaptureQueriesContext(connection) as queries:
            call("/api/v1/payments", key, programme_year=ledger_story.pk, limit=limit, offset=offset)
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts
