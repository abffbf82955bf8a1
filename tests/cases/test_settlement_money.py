"""Money invariants of the full lifecycle under attack: live payment orders against the decided and confirmed
amounts, commitments against what was paid, refunds against what was received, returned transfers of advances
and settlements, and whether a case can close with money owed either way."""
import datetime as dt

import pytest
from django.db.models import Sum

from grants.cases import lifecycle, orders, refunds
from grants.cases.batches import approve_payment_batch, create_payment_batch, record_transfer_result
from grants.cases.models import Status
from grants.cases.workflows import CaseActionError
from grants.ledger.models import BatchItem, BudgetAccount, EntryKind, OrderKind, OrderStatus
from grants.ledger.services import case_totals
from grants.ledger.transfers import earliest_transfer_date
from tests.cases.money import assert_ledger_matches
from tests.councils.helpers import fake_file, pay_orders
from tests.councils.steps import decided, fresh, paid, prepare_and_approve, reported, scheduled, today

pytestmark = pytest.mark.django_db


LIVE = (OrderStatus.PREPARED, OrderStatus.APPROVED, OrderStatus.PAID)


def live_total(case) -> int:  # type: ignore[no-untyped-def]
    return case.payment_orders.filter(status__in=LIVE).aggregate(t=Sum("amount"))["t"] or 0


def batch_of(case_orders, finance, finance2):  # type: ignore[no-untyped-def]
    batch = create_payment_batch(actor=finance, case_ids=[], order_ids=[o.pk for o in case_orders],
                                 transfer_date=earliest_transfer_date())
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)
    return list(BatchItem.objects.filter(batch=batch))


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


def test_change_lowering_below_started_advances_is_refused_and_reschedules_the_rest(
        katsudo, council, staff, approver, finance) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)  # advances 500,000 and 250,000
    first, second = scheduled(case)
    orders.prepare_order(order_id=first.pk, actor=staff)  # 500,000 on its way
    lifecycle.start_change(case_id=case.pk, actor=council[1], reason="減額", requested_amount=600_000)
    lifecycle.request_change(case_id=case.pk, actor=council[1])
    with pytest.raises(CaseActionError, match="支払手続中"):
        lifecycle.check_change(case_id=case.pk, actor=staff, assessed_amount=499_999)
    lifecycle.check_change(case_id=case.pk, actor=staff, assessed_amount=600_000)
    case = lifecycle.approve_change(case_id=case.pk, actor=approver)
    # 600,000 × 3/4 = 450,000 planned, 500,000 started: nothing more is scheduled.
    assert live_total(case) == 500_000 <= case.decided_amount
    assert not scheduled(case)
    orders.approve_order(order_id=first.pk, actor=finance)
    assert_ledger_matches(case)


def test_prepare_refuses_an_advance_above_what_is_left(katsudo, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    """Orders tampered into exceeding the decided amount (e.g. by the admin) are refused at 起票."""
    case, _, _ = decided(katsudo, council, staff, approver)
    first, second = scheduled(case)
    type(second).objects.filter(pk=second.pk).update(amount=600_000)
    orders.prepare_order(order_id=first.pk, actor=staff)
    with pytest.raises(CaseActionError, match="交付決定額"):
        orders.prepare_order(order_id=second.pk, actor=staff)
    assert live_total(fresh(case)) == 500_000


def test_confirmed_never_exceeds_decided_and_settlement_never_exceeds_confirmed(
        katsudo, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2, shares=((1, 4),))
    reported(case, plan, cats, council[1], staff, amounts=(900_000, 900_000))  # justifies 1,800,000
    case = lifecycle.confirm(case_id=case.pk, actor=approver)
    assert case.confirmed_amount == 1_000_000
    settlement = scheduled(case, "settlement")[0]
    assert settlement.amount == 750_000
    type(settlement).objects.filter(pk=settlement.pk).update(amount=750_001)
    with pytest.raises(CaseActionError, match="確定額"):
        orders.prepare_order(order_id=settlement.pk, actor=staff)


def test_change_raising_the_amount_beyond_the_budget_changes_nothing(council, staff, approver) -> None:  # type: ignore[no-untyped-def]
    from tests.councils import builders
    from tests.councils.helpers import line

    katsudo = builders.katsudo_year(budget=1_100_000)
    case, plan, cats = decided(katsudo, council, staff, approver, shares=None)
    lifecycle.start_change(case_id=case.pk, actor=council[1], reason="増額", requested_amount=1_300_000)
    line(case, council[1], where="change", category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
         amount=300_000, description="追加の資材")
    lifecycle.request_change(case_id=case.pk, actor=council[1])
    lifecycle.check_change(case_id=case.pk, actor=staff, assessed_amount=1_300_000)
    with pytest.raises(CaseActionError, match="予算額を超える"):
        lifecycle.approve_change(case_id=case.pk, actor=approver)
    case = fresh(case)
    assert (case.status, case.decided_amount) == (Status.CHANGE_CHECKED, 1_000_000)
    assert case.change_requests.get().status == "pending"

    assert BudgetAccount.objects.get(programme_year=katsudo).committed == 1_000_000


def test_change_raising_the_amount_after_the_years_end_is_refused(katsudo, council, staff, approver,
                                                                  monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tests.councils import builders
    from tests.councils.helpers import line

    case, plan, cats = decided(katsudo, council, staff, approver, shares=None)
    lifecycle.start_change(case_id=case.pk, actor=council[1], reason="増額", requested_amount=1_200_000)
    line(case, council[1], where="change", category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
         amount=200_000, description="追加")
    lifecycle.request_change(case_id=case.pk, actor=council[1])
    lifecycle.check_change(case_id=case.pk, actor=staff, assessed_amount=1_200_000)
    after_year = dt.date(katsudo.fiscal_year + 1, 4, 15)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: after_year)
    with pytest.raises(CaseActionError, match="年度中"):
        lifecycle.approve_change(case_id=case.pk, actor=approver)
    assert fresh(case).decided_amount == 1_000_000


def test_cancel_keeps_at_most_the_decided_amount(katsudo, council, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver, shares=None)
    for kept in (-1, 1_000_001, True, 1.5, "0", None):
        with pytest.raises(CaseActionError, match="残す額"):
            lifecycle.cancel(case_id=case.pk, actor=approver, note="x", kept_amount=kept)
    assert fresh(case).status == Status.DECIDED


def test_a_case_with_money_owed_either_way_does_not_close(katsudo, council, staff, staff2, approver, finance,
                                                          finance2) -> None:  # type: ignore[no-untyped-def]
    owed_to_council = _confirmed_with_settlement(katsudo, council, staff, approver, finance, finance2)
    with pytest.raises(CaseActionError, match="支払の済んでいない"):
        lifecycle.close(case_id=owed_to_council.pk, actor=staff)
    from tests.councils import builders

    other = builders.council(name="宮野地域づくり協議会", username="miyano")
    case, plan, cats = decided(katsudo, other, staff, approver, shares=None)  # the year's plan: 1/2 in advance
    pay_orders(case, staff, finance, finance2, kinds=("advance",))
    reported(case, plan, cats, other[1], staff2, amounts=(400_000, 50_001))
    lifecycle.confirm(case_id=case.pk, actor=approver)  # 500,000 paid, 450,001 confirmed: 49,999 to come back
    with pytest.raises(CaseActionError, match="返還金の納付"):
        lifecycle.close(case_id=case.pk, actor=finance)
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=49_998, received_on=today())
    with pytest.raises(CaseActionError, match="返還金の納付"):
        lifecycle.close(case_id=case.pk, actor=finance)
    assert fresh(case).status == Status.CONFIRMED
    assert_ledger_matches(case)


def test_regression_an_approved_order_not_in_a_batch_can_be_sent_back_so_the_case_can_be_cancelled(
        katsudo, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    """An advance approved (支出承認済) but not yet in a batch — or returned by the bank — could not be sent back
    (差戻し only took drafted orders), and 取消 and 額の確定 refuse while it is live: the city had to pay a council
    it was cancelling. Finance may now send it back while it is in no live batch."""
    case, _, _ = decided(katsudo, council, staff, approver, shares=((1, 2),))
    order = scheduled(case)[0]
    prepare_and_approve(order, finance2, finance)
    with pytest.raises(CaseActionError, match="振込の済んでいない"):
        lifecycle.cancel(case_id=case.pk, actor=approver, note="虚偽の申請", kept_amount=0)
    with pytest.raises(CaseActionError, match="起票した方"):
        orders.reject_order(order_id=order.pk, actor=finance2, note="取消のため")
    orders.reject_order(order_id=order.pk, actor=finance, note="取消のため")
    order.refresh_from_db()
    assert (order.status, order.approved_by, order.prepared_by) == (OrderStatus.SCHEDULED, None, None)
    case = lifecycle.cancel(case_id=case.pk, actor=approver, note="虚偽の申請", kept_amount=0)
    assert fresh(case).status == Status.CLOSED


def test_regression_returned_advance_can_be_sent_back_instead_of_paid_again(
        katsudo, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver, shares=((1, 2),))
    items = pay_orders(case, staff, finance, finance2, kinds=("advance",), record=False)
    record_transfer_result(item_id=items[0].pk, actor=finance, returned=True, reason="口座解約")
    order = case.payment_orders.get()
    orders.reject_order(order_id=order.pk, actor=finance2, note="口座の届出を待つ")
    order.refresh_from_db()
    assert order.status == OrderStatus.SCHEDULED
    reported(case, plan, cats, council[1], staff)  # the report withdraws it with the other scheduled advances
    case = lifecycle.confirm(case_id=case.pk, actor=approver)
    assert scheduled(case, "settlement")[0].amount == 700_000
    assert_ledger_matches(case)


def test_an_approved_order_in_a_live_batch_cannot_be_sent_back(katsudo, council, staff, approver, finance,
                                                               finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver, shares=((1, 2),))
    order = scheduled(case)[0]
    prepare_and_approve(order, staff, finance)
    create_payment_batch(actor=finance, case_ids=[], order_ids=[order.pk], transfer_date=earliest_transfer_date())
    with pytest.raises(CaseActionError, match="振込バッチ"):
        orders.reject_order(order_id=order.pk, actor=finance2, note="x")
    order.refresh_from_db()
    assert order.status == OrderStatus.APPROVED


def test_commitment_never_falls_below_what_was_paid_net_of_refunds(katsudo, council, staff, approver, finance,
                                                                   finance2) -> None:  # type: ignore[no-untyped-def]
    from grants.ledger.services import LedgerError, adjust_commitment

    case, _, _ = paid(katsudo, council, staff, approver, finance, finance2)  # 750,000 paid
    for amount in (749_999, 0, -1, True):
        with pytest.raises(LedgerError):
            adjust_commitment(case=fresh(case), amount=amount, actor=approver, note="攻撃")
    assert case_totals(case)[EntryKind.COMMITMENT] == 1_000_000
    adjust_commitment(case=fresh(case), amount=750_000, actor=approver, note="減額")
    assert case_totals(case)[EntryKind.COMMITMENT] == 750_000
    # A change may then not go below it either, and the ledger refuses paying above it.
    with pytest.raises(CaseActionError, match="支払済の額"):
        lifecycle.start_change(case_id=case.pk, actor=council[1], reason="x", requested_amount=749_999)
    assert_ledger_matches(case)
