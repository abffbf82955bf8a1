"""Money invariants of the full lifecycle under attack: live payment orders against the decided and confirmed
amounts, commitments against what was paid, refunds against what was received, returned transfers of advances
and settlements, and whether a case can close with money owed either way."""
import datetime as dt

import pytest
from django.db.models import Sum

from grants.cases.models import GrantCase, Status
from grants.cases.services import CaseActionError
from grants.councils import lifecycle, orders, refunds
from grants.councils.models import RefundStatus
from grants.ledger.batches import (
    BatchError,
    approve_payment_batch,
    create_payment_batch,
    earliest_transfer_date,
    record_transfer_result,
)
from grants.ledger.models import BatchItem, BudgetAccount, EntryKind, ItemResult, LedgerEntry, OrderKind, OrderStatus
from grants.ledger.services import case_totals
from tests.councils.helpers import fake_file, pay_orders

from .steps import decided, fresh, paid, prepare_and_approve, reported, scheduled, today

pytestmark = pytest.mark.django_db

LIVE = (OrderStatus.PREPARED, OrderStatus.APPROVED, OrderStatus.PAID)


def live_total(case) -> int:  # type: ignore[no-untyped-def]
    return case.payment_orders.filter(status__in=LIVE).aggregate(t=Sum("amount"))["t"] or 0


def assert_ledger_matches(case) -> None:  # type: ignore[no-untyped-def]
    """The case's stored amounts agree with its ledger rows, and paid − refunded ≤ committed."""
    case = fresh(case)
    totals = case_totals(case)
    assert totals[EntryKind.PAYMENT] == case.paid_amount
    assert totals[EntryKind.REFUND] == case.refunded_amount
    assert case.paid_amount - case.refunded_amount <= totals[EntryKind.COMMITMENT]


def batch_of(case_orders, finance, finance2):  # type: ignore[no-untyped-def]
    batch = create_payment_batch(actor=finance, case_ids=[], order_ids=[o.pk for o in case_orders],
                                 transfer_date=earliest_transfer_date())
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)
    return list(BatchItem.objects.filter(batch=batch))


# -- 精算払 returned by the bank ----------------------------------------------------------------------------

def _confirmed_with_settlement(katsudo, council, staff, approver, finance, finance2):  # type: ignore[no-untyped-def]
    """Advances of ¥500,000 paid, report justifies ¥800,000: confirmed ¥800,000, 精算払 ¥300,000 scheduled."""
    case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2, shares=((1, 2),))
    reported(case, plan, cats, council[1], staff, amounts=(500_000, 300_000))
    case = lifecycle.confirm(case_id=case.pk, actor=approver)
    assert case.confirmed_amount == 800_000 and case.status == Status.CONFIRMED
    return case


def test_regression_returned_settlement_transfer_can_be_recorded_and_paid_again(
        katsudo, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    """The bank returns the 精算払 (closed account): the case must not have closed when the batch was approved,
    so that finance can record the return and pay again."""
    case = _confirmed_with_settlement(katsudo, council, staff, approver, finance, finance2)
    settlement = scheduled(case, "settlement")[0]
    prepare_and_approve(settlement, staff, finance)
    item = batch_of([settlement], finance, finance2)[0]
    assert fresh(case).status == Status.CONFIRMED  # the bank has not said yet
    record_transfer_result(item_id=item.pk, actor=finance, returned=True, reason="口座解約")
    case = fresh(case)
    settlement.refresh_from_db()
    assert (case.status, case.paid_amount, settlement.status) == (Status.CONFIRMED, 500_000, OrderStatus.APPROVED)
    assert_ledger_matches(case)
    # Paid again to the corrected account, and this time the bank confirms it: the case closes.
    item = batch_of([settlement], finance, finance2)[0]
    record_transfer_result(item_id=item.pk, actor=finance, returned=False)
    case = fresh(case)
    assert (case.status, case.paid_amount) == (Status.CLOSED, 800_000)
    assert_ledger_matches(case)


def test_regression_partial_cancellation_settlement_closes_only_when_the_bank_confirms(
        katsudo, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = paid(katsudo, council, staff, approver, finance, finance2, shares=((1, 4),))
    lifecycle.cancel(case_id=case.pk, actor=approver, note="条件違反（一部）", kept_amount=400_000)
    settlement = scheduled(case, "settlement")[0]
    assert settlement.amount == 150_000
    prepare_and_approve(settlement, staff, finance)
    item = batch_of([settlement], finance, finance2)[0]
    assert fresh(case).status == Status.CANCELLED
    record_transfer_result(item_id=item.pk, actor=finance, returned=False)
    assert fresh(case).status == Status.CLOSED


def test_returned_advance_goes_back_to_the_queue_and_blocks_confirmation(
        katsudo, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver, shares=((1, 2),))
    items = pay_orders(case, staff, finance, finance2, kinds=("advance",), record=False)
    record_transfer_result(item_id=items[0].pk, actor=finance, returned=True, reason="口座番号誤り")
    case = fresh(case)
    assert case.paid_amount == 0
    order = case.payment_orders.get(kind=OrderKind.ADVANCE)
    assert order.status == OrderStatus.APPROVED
    reported(case, plan, cats, council[1], staff)
    with pytest.raises(CaseActionError, match="振込の済んでいない支出命令"):
        lifecycle.confirm(case_id=case.pk, actor=approver)
    assert fresh(case).status == Status.REPORT_VERIFIED
    assert_ledger_matches(case)


def test_confirmation_refused_while_a_transfer_result_is_unknown(
        katsudo, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver, shares=((1, 2),))
    pay_orders(case, staff, finance, finance2, kinds=("advance",), record=False)
    reported(case, plan, cats, council[1], staff)
    with pytest.raises(CaseActionError, match="振込結果"):
        lifecycle.confirm(case_id=case.pk, actor=approver)
    with pytest.raises(CaseActionError, match="振込結果"):
        lifecycle.cancel(case_id=case.pk, actor=approver, note="不正", kept_amount=0)


# -- an advance sent back after the 実績報告 ------------------------------------------------------------------

def test_regression_rejected_advance_after_report_is_withdrawn(
        katsudo, council, council_b, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver, shares=((1, 2), (1, 4)))
    """An advance drafted before the report and sent back (差戻し) after it was submitted used to return to
    予定: it could never be drafted again (advances stop at the report) and kept the case from closing."""
    first, second = scheduled(case)
    for item in batch_of([prepare_and_approve(first, staff, finance)], finance, finance2):
        record_transfer_result(item_id=item.pk, actor=finance, returned=False)
    orders.prepare_order(order_id=second.pk, actor=staff)  # drafted before the report …
    lifecycle.save_report(case_id=case.pk, actor=council[1], narrative="実施した。", completed_on=today())
    from tests.councils import builders
    from tests.councils.helpers import line

    line(case, council[1], where="report", category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
         amount=500_000, description="実績")
    lifecycle.submit_report(case_id=case.pk, actor=council[1])
    orders.reject_order(order_id=second.pk, actor=finance, note="報告が出たため精算払で支払う")  # … sent back after
    second.refresh_from_db()
    with pytest.raises(CaseActionError):
        orders.prepare_order(order_id=second.pk, actor=staff)
    lifecycle.verify_report(case_id=case.pk, actor=staff)
    case = lifecycle.confirm(case_id=case.pk, actor=approver)  # confirmed 500,000 = paid 500,000
    case = fresh(case)
    assert case.status == Status.CLOSED, lifecycle.settled(case)
    assert not case.payment_orders.filter(status=OrderStatus.SCHEDULED).exists()
