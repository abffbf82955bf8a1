"""Payment batches (grants/cases/batches.py) and the bank data we have: an account whose bank or branch code is no
longer in zengin-code (a merger, a closed branch) cannot be put into a batch until it is corrected, and the refusal
names the payee (団体名) and the payment (case number and order); ``payee_problems`` tells the queue which payments
are held back, and why, with one query for the accounts."""
import pytest
import zengin_code
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.cases.batches import BatchError, create_payment_batch, payable_orders, payee_problems
from grants.ledger.models import PaymentBatch
from grants.organizations.kana import MISSING_BANK_CODE

pytestmark = pytest.mark.django_db


def moved_to(case, bank_code: str, branch_code: str):  # type: ignore[no-untyped-def]
    """``case``'s organisation's account, registered with these codes (valid then)."""
    account = case.organization.current_bank_account()
    account.bank_code, account.branch_code = bank_code, branch_code
    account.full_clean()
    account.save()
    return account


def test_a_bank_merged_away_holds_the_payment_back_and_the_refusal_names_payee_and_payment(  # type: ignore[no-untyped-def]
        approved_case, finance, transfer_day, monkeypatch):
    moved_to(approved_case, "0005", "001")
    monkeypatch.delitem(zengin_code.Bank.all, "0005")
    order = approved_case.payment_orders.get()
    problems = payee_problems(payable_orders())
    assert problems == {order.pk: f"{MISSING_BANK_CODE}: 金融機関コード「0005」は存在しません。振込先口座を訂正してください。"}
    for chosen in ({"case_ids": [approved_case.pk]}, {"order_ids": [order.pk]}):
        with pytest.raises(BatchError) as refused:
            create_payment_batch(actor=finance, transfer_date=transfer_day, **chosen)
        assert str(refused.value) == (
            "振込先口座のため振込バッチに入れられない支払があります。選択を外すか、口座を訂正してください: "
            f"{approved_case.organization.name}（案件 {approved_case.reference}・{order.label}） "
            f"{MISSING_BANK_CODE}: 金融機関コード「0005」は存在しません。振込先口座を訂正してください。")
    assert not PaymentBatch.objects.exists()


def test_a_closed_branch_is_held_back_too_and_a_corrected_account_goes_into_the_batch(  # type: ignore[no-untyped-def]
        approved_case, finance, transfer_day, monkeypatch):
    account = moved_to(approved_case, "0005", "002")
    monkeypatch.delitem(zengin_code.Bank.all["0005"].branches, "002")
    problems = payee_problems(payable_orders())
    assert list(problems.values()) == [f"{MISSING_BANK_CODE}: 三菱ＵＦＪに支店コード「002」はありません。振込先口座を訂正してください。"]
    with pytest.raises(BatchError, match=approved_case.reference):
        create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    account.branch_code = "001"
    account.full_clean()
    account.save()
    assert payee_problems(payable_orders()) == {}
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    assert batch.items.get().branch_code == "001"


def test_a_payee_without_an_account_is_named_as_well(approved_case, finance, transfer_day) -> None:  # type: ignore[no-untyped-def]
    approved_case.organization.bank_accounts.update(is_current=False)
    order = approved_case.payment_orders.get()
    assert payee_problems(payable_orders()) == {order.pk: "振込先口座が登録されていません。"}
    with pytest.raises(BatchError, match=f"{approved_case.organization.name}（案件 {approved_case.reference}・"):
        create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)


def test_payee_problems_reads_the_accounts_in_one_query(approved_case) -> None:  # type: ignore[no-untyped-def]
    queue = list(payable_orders())
    assert [o.case_id for o in queue] == [approved_case.pk]
    with CaptureQueriesContext(connection) as queries:
        assert payee_problems(queue) == {}
    assert len(queries) == 1
