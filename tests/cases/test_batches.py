"""Payment batches: gathered by one finance user, approved by another, payments posted with the file; the
bank's result per payment; a returned transfer reverses its payment and puts it back in the queue."""
import datetime as dt

import pytest

from grants.cases import services
from grants.cases.batches import (
    BatchError,
    approve_payment_batch,
    create_payment_batch,
    discard_payment_batch,
    payable_cases,
    record_transfer_result,
)
from grants.cases.models import GrantCase, Status
from grants.core.fiscal import wareki
from grants.ledger.models import (
    BatchStatus,
    BudgetAccount,
    EntryKind,
    ItemResult,
    LedgerEntry,
    OrderStatus,
    PaymentBatch,
)

pytestmark = pytest.mark.django_db


def fake_file(batch: PaymentBatch) -> bytes:
    return f"batch {batch.pk}".encode()


def test_batch_flow_posts_payments_on_approval(approved_case, finance, finance2, transfer_day) -> None:  # type: ignore[no-untyped-def]
    assert list(payable_cases()) == [approved_case]
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    assert list(payable_cases()) == []
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()
    approved = approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)
    assert (approved.status, approved.approved_by) == (BatchStatus.APPROVED, finance2)
    assert approved.file.read() == f"batch {batch.pk}".encode()
    item = approved.items.get()
    assert (item.result, item.amount, item.payment_entry.amount, item.payment_entry.entry_date) == (
        ItemResult.SENT, 70_000, 70_000, transfer_day
    )
    case = GrantCase.objects.get(pk=approved_case.pk)
    # posted, dated the transfer date, but not paid until the bank's result: 振込予定
    assert (case.status, case.paid_amount, case.paid_on) == (Status.TRANSFER_SENT, 70_000, transfer_day)
    assert case.payment_orders.get().status == OrderStatus.SENT
    assert list(case.notices.values_list("kind", flat=True)) == ["decision"]
    record_transfer_result(item_id=item.pk, actor=finance, returned=False)
    assert approved.items.get().result == ItemResult.PAID
    assert GrantCase.objects.get(pk=case.pk).status == Status.PAID
    assert case.payment_orders.get().status == OrderStatus.PAID
    # the bank confirmed the transfer: 額の確定通知書 and 支払通知書, numbered after the decision's
    notices = list(case.notices.order_by("number").values_list("kind", "amount"))
    assert notices == [("decision", 70_000), ("confirmation", 70_000), ("payment", 70_000)]


def test_a_sent_payment_reads_as_transfer_pending_with_its_date_until_the_bank_confirms_it(approved_case, finance, finance2, transfer_day) -> None:  # type: ignore[no-untyped-def]
    """Approving the batch posts the payment but does not pay it: case and order read 振込予定（振込指定日）, and
    only the bank's result 振込完了 makes them 支払済; nothing but that result confirms a batched transfer."""
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)
    case = GrantCase.objects.get(pk=approved_case.pk)
    order = case.payment_orders.get()
    pending = f"振込予定（{wareki(transfer_day)}）"
    assert (case.status_label, order.status_label) == (pending, pending)
    assert "支払済" not in case.status_label + order.status_label

    with pytest.raises(services.CaseActionError, match="振込バッチ"):
        services.confirm_transfer(case_id=case.pk, actor=finance)
    assert GrantCase.objects.get(pk=case.pk).status == Status.TRANSFER_SENT

    record_transfer_result(item_id=batch.items.get().pk, actor=finance, returned=False)
    case = GrantCase.objects.get(pk=case.pk)
    assert (case.status_label, case.payment_orders.get().status_label) == ("支払済", "支払済")


def test_preparer_cannot_approve_own_batch(approved_case, finance, transfer_day) -> None:  # type: ignore[no-untyped-def]
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    with pytest.raises(BatchError, match="作成した方は"):
        approve_payment_batch(batch_id=batch.pk, actor=finance, write_file=fake_file)
    assert PaymentBatch.objects.get(pk=batch.pk).status == BatchStatus.DRAFT
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


def test_payment_in_one_batch_only(approved_case, finance, finance2, transfer_day) -> None:  # type: ignore[no-untyped-def]
    create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    with pytest.raises(BatchError, match="すでに振込バッチに入っている"):
        create_payment_batch(actor=finance2, case_ids=[approved_case.pk], transfer_date=transfer_day)
    assert PaymentBatch.objects.count() == 1


@pytest.mark.parametrize("day", [dt.date(2026, 12, 31), dt.date(2027, 1, 2), dt.date(2027, 1, 11)])
def test_transfer_date_must_be_a_bank_business_day(approved_case, finance, day) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BatchError, match="休業日|過去"):
        create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=day)
    assert not PaymentBatch.objects.exists()


def test_returned_transfer_reverses_payment_and_requeues(approved_case, finance, finance2, transfer_day) -> None:  # type: ignore[no-untyped-def]
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)
    item = batch.items.get()
    with pytest.raises(BatchError, match="理由"):
        record_transfer_result(item_id=item.pk, actor=finance, returned=True, reason="")
    record_transfer_result(item_id=item.pk, actor=finance, returned=True, reason="口座解約済（振込不能）")
    case = GrantCase.objects.get(pk=approved_case.pk)
    assert (case.status, case.paid_amount, case.paid_on) == (Status.PAYMENT_APPROVED, 0, None)
    reversal = LedgerEntry.objects.get(kind=EntryKind.REVERSAL)
    assert (reversal.reverses_id, reversal.amount) == (item.payment_entry_id, 70_000)
    assert BudgetAccount.objects.get(programme_year=case.programme_year).paid == 0
    assert list(payable_cases()) == [case]  # back in the queue, can go into a new batch
    again = create_payment_batch(actor=finance, case_ids=[case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=again.pk, actor=finance2, write_file=fake_file)
    assert GrantCase.objects.get(pk=case.pk).status == Status.TRANSFER_SENT
    with pytest.raises(BatchError, match="すでに記録"):
        record_transfer_result(item_id=item.pk, actor=finance, returned=False)
    assert not case.notices.filter(kind="payment").exists()  # nothing was paid yet by the returned transfer


def test_only_finance_handles_batches(approved_case, staff, auditor, transfer_day) -> None:  # type: ignore[no-untyped-def]
    for user in (staff, auditor):
        with pytest.raises(BatchError, match="会計課"):
            create_payment_batch(actor=user, case_ids=[approved_case.pk], transfer_date=transfer_day)


def test_failed_file_rolls_back_every_payment(approved_case, finance, finance2, transfer_day) -> None:  # type: ignore[no-untyped-def]
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)

    def broken(_: PaymentBatch) -> bytes:
        raise BatchError("口座名義に使えない文字があります。")

    with pytest.raises(BatchError):
        approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=broken)
    assert PaymentBatch.objects.get(pk=batch.pk).status == BatchStatus.DRAFT
    assert GrantCase.objects.get(pk=approved_case.pk).status == Status.PAYMENT_APPROVED
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()


def test_discarded_batch_returns_payments_to_queue(approved_case, finance, transfer_day) -> None:  # type: ignore[no-untyped-def]
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    discard_payment_batch(batch_id=batch.pk, actor=finance)
    assert PaymentBatch.objects.get(pk=batch.pk).status == BatchStatus.DISCARDED
    assert list(payable_cases()) == [approved_case]


def test_name_outside_the_set_refuses_approval_and_writes_nothing(approved_case, finance, finance2, transfer_day, transfer_settings, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A name stored before the check existed (here forced past clean()) stops the approval with a message
    that says which character; no payment is posted and no file is written."""
    from grants.organizations.models import BankAccount
    from reports.zengin_batch import batch_file

    settings.MEDIA_ROOT = tmp_path
    BankAccount.objects.filter(organization=approved_case.organization).update(holder_kana="ｵｵﾄｼ漢字ｶｲ")
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    with pytest.raises(BatchError, match="漢"):
        approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    batch.refresh_from_db()
    assert (batch.status, bool(batch.file)) == (BatchStatus.DRAFT, False)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()
    assert not list(tmp_path.rglob("*.txt"))


def test_account_name_is_checked_when_entered(approved_case) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    account = approved_case.organization.current_bank_account()
    account.holder_kana = "ｼﾞﾁｶｲ☆"
    with pytest.raises(ValidationError, match="☆"):
        account.full_clean()
    account.holder_kana = "ちょうないかい"
    account.full_clean()
    assert account.holder_kana == "ﾁﾖｳﾅｲｶｲ"


@pytest.mark.real_result_day
def test_result_before_the_transfer_date_is_refused(approved_case, finance, finance2, transfer_day) -> None:  # type: ignore[no-untyped-def]
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)
    item = batch.items.get()
    for returned in (False, True):
        with pytest.raises(BatchError, match="振込指定日.*より前には"):
            record_transfer_result(item_id=item.pk, actor=finance, returned=returned, reason="口座なし")
    assert batch.items.get().result == ItemResult.SENT
    assert not approved_case.notices.filter(kind="payment").exists()


@pytest.mark.real_result_day
def test_training_setting_lets_a_result_come_early_and_says_so_in_the_history(approved_case, finance, finance2, transfer_day, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    """研修用の設定 (early_results) lifts the transfer-date guard, and the audit row and the case history say the
    result was recorded early; with the setting off again the guard is back."""
    from grants.core.models import AuditEvent

    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)
    first, = batch.items.all()
    transfer_settings.early_results = True
    transfer_settings.save()
    record_transfer_result(item_id=first.pk, actor=finance, returned=True, reason="口座なし")
    assert batch.items.get(pk=first.pk).result == ItemResult.RETURNED
    row = AuditEvent.objects.filter(machine="batch_item", to_state=ItemResult.RETURNED).get()
    on_case = AuditEvent.objects.for_object(approved_case).get(action="record_transfer_result")
    assert "研修用の設定により振込指定日前に記録" in row.note and "研修用の設定により振込指定日前に記録" in on_case.note

    again = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=again.pk, actor=finance2, write_file=fake_file)
    transfer_settings.early_results = False
    transfer_settings.save()
    with pytest.raises(BatchError, match="より前には"):
        record_transfer_result(item_id=again.items.get().pk, actor=finance, returned=False)
    assert again.items.get().result == ItemResult.SENT


# A payment in a batch is paid, and its transfer returned, by the batch only: the case's services taken directly
# (a 会計課 user may take record_paid / return_transfer outside a batch) must not leave the batch's item behind.

def test_regression_transfer_returned_outside_its_batch_is_refused(approved_case, finance, finance2, transfer_day) -> None:  # type: ignore[no-untyped-def]
    """The return was taken on the case directly while the bank's result of the batch item was still to come:
    case and order went back to 支出承認済 and the payment was reversed, but the item stayed 送金済 — the order
    could never be batched again (it sat in a live item), and the bank's 振込完了 then recorded on the item
    issued the 額の確定通知書 and 支払通知書 of a reversed payment."""
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)
    item = batch.items.get()
    before = (LedgerEntry.objects.count(), GrantCase.objects.get(pk=approved_case.pk).status)

    with pytest.raises(services.CaseActionError, match="振込バッチ"):
        services.return_transfer(case_id=approved_case.pk, actor=finance, payment=item.payment_entry,
                                 note="口座相違")

    assert (LedgerEntry.objects.count(), GrantCase.objects.get(pk=approved_case.pk).status) == before
    assert approved_case.payment_orders.get().status == "sent"
    record_transfer_result(item_id=item.pk, actor=finance, returned=True, reason="口座相違")  # the way it is done
    case = GrantCase.objects.get(pk=approved_case.pk)
    assert (case.status, case.paid_amount, approved_case.payment_orders.get().status) == (
        Status.PAYMENT_APPROVED, 0, "approved")
    assert list(payable_cases()) == [case]


def test_regression_payment_in_a_draft_batch_is_not_recorded_outside_it(approved_case, finance, finance2, transfer_day) -> None:  # type: ignore[no-untyped-def]
    """A payment waiting in a draft batch was recorded on the case directly: paid without the batch's second
    approval and without its 総合振込 file, the batch left holding an item of a paid order."""
    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)

    with pytest.raises(services.CaseActionError, match="振込バッチ"):
        services.record_payment(case_id=approved_case.pk, actor=finance2)

    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()
    assert GrantCase.objects.get(pk=approved_case.pk).status == Status.PAYMENT_APPROVED
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)  # the way it is done
    assert GrantCase.objects.get(pk=approved_case.pk).status == Status.TRANSFER_SENT
