"""Exact yen of the payment orders through the full lifecycle (GRANTS.md §3–§4): the 概算払 instalments of a
decision, their rescheduling after a change, and the single order of a formula grant and its payment's input.

Every expected number is computed by hand in a comment next to it; the steps and the rate are in
tests/cases/money.py."""
import pytest

from grants.cases import lifecycle, orders, services
from grants.cases.models import GrantCase, Status
from grants.cases.workflows import CaseActionError
from grants.core.models import AuditEvent
from grants.ledger.models import LedgerEntry, OrderKind, OrderStatus, PaymentOrder
from grants.notices.models import Notice
from tests.cases.money import advances, decided, live_total, pay, report, totals
from tests.cases.world import World, new_case
from tests.councils import builders
from tests.councils.helpers import line, pay_orders


def change(w: World, case: GrantCase, amount: int, extra: int = 0) -> GrantCase:
    """変更承認申請 for ``amount`` yen (with one more eligible line of ``extra`` yen), checked and approved."""
    lifecycle.start_change(case_id=case.pk, actor=w.secretary, reason="事業内容の変更", requested_amount=amount)
    if extra:
        line(case, w.secretary, where="change", category=w.cats["hoshohi"], plan_item=builders.item(w.plan, "1-1-1"),
             amount=extra, description="防災訓練の講師謝礼")
    lifecycle.request_change(case_id=case.pk, actor=w.secretary)
    lifecycle.check_change(case_id=case.pk, actor=w.staff, assessed_amount=amount)
    return lifecycle.approve_change(case_id=case.pk, actor=w.approver)


def test_thirds_of_an_odd_amount_leave_the_remainder_on_the_last_instalment(world):  # type: ignore[no-untyped-def]
    case = decided(world, 1_000_001, [(1, 3), (1, 3), (1, 3)])
    # 1,000,001 × 1/3 = 333,333.67 → 333,333 (円未満切捨て) for the first two;
    # the last takes the rest of the planned total 1,000,001 × 3/3: 1,000,001 − 2 × 333,333 = 333,335.
    assert advances(case) == [333_333, 333_333, 333_335]
    assert sum(advances(case)) == case.decided_amount == 1_000_001
    assert list(case.payment_orders.order_by("number").values_list("number", flat=True)) == [1, 2, 3]
    assert totals(world) == (1_000_001, 0, 0)


def test_a_plan_below_one_leaves_the_rest_to_the_settlement(world):  # type: ignore[no-untyped-def]
    case = decided(world, 1_000_001, [(1, 2), (1, 4)])
    # planned total = floor(1,000,001 × 3/4) = floor(750,000.75) = 750,000;
    # first = floor(1,000,001 × 1/2) = 500,000; last = 750,000 − 500,000 = 250,000.
    assert advances(case) == [500_000, 250_000]


def test_shares_above_one_are_refused_and_nothing_is_decided(world):  # type: ignore[no-untyped-def]
    builders.instalments(world.py, [(2, 3), (2, 3)])  # 4/3 > 1
    case = new_case(world, 300_000)
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=300_000,
                     completion_deadline=world.deadline())
    with pytest.raises(CaseActionError, match="概算払の計画の割合の合計が1を超えています"):
        lifecycle.decide(case_id=case.pk, actor=world.approver)
    case.refresh_from_db()
    assert case.status == Status.VERIFIED and case.decided_amount is None
    assert not case.payment_orders.exists() and not Notice.objects.filter(case=case).exists()
    assert totals(world) == (0, 0, 0)


def test_without_instalments_everything_is_paid_at_the_settlement(world):  # type: ignore[no-untyped-def]
    case = decided(world, 480_000)
    assert not case.payment_orders.exists()
    report(world, case, 480_000)
    case = lifecycle.confirm(case_id=case.pk, actor=world.approver)
    settlement = case.payment_orders.get()
    assert (settlement.kind, settlement.amount, settlement.status) == (OrderKind.SETTLEMENT, 480_000, "scheduled")
    pay_orders(case, world.staff, world.finance, world.finance2, kinds=("settlement",))
    case.refresh_from_db()
    assert (case.status, case.paid_amount) == (Status.CLOSED, 480_000)
    assert totals(world) == (480_000, 480_000, 0)


def test_change_down_before_any_payment_reschedules_the_advances(world):  # type: ignore[no-untyped-def]
    case = decided(world, 1_000_000, [(1, 2), (1, 4)])
    assert advances(case) == [500_000, 250_000]

    case = change(world, case, 800_000)

    # planned total = floor(800,000 × 3/4) = 600,000, spread over the two dates in proportion to the old
    # amounts: 500,000 × 600,000 // 750,000 = 400,000; the last takes 600,000 − 400,000 = 200,000.
    assert advances(case, OrderStatus.SCHEDULED) == [400_000, 200_000]
    assert advances(case, OrderStatus.CANCELLED) == [500_000, 250_000]
    assert live_total(case) == 600_000 <= case.decided_amount == 800_000
    assert totals(world) == (800_000, 0, 0)


def test_change_up_after_the_first_advance(world):  # type: ignore[no-untyped-def]
    case = decided(world, 1_000_000, [(1, 2), (1, 4)])
    pay(world, case.payment_orders.get(number=1))  # 500,000 paid
    assert totals(world) == (1_000_000, 500_000, 0)

    case = change(world, case, 1_200_000, extra=200_000)  # lines now justify 1,000,000 + 200,000

    # planned total = floor(1,200,000 × 3/4) = 900,000, less the 500,000 already paid = 400,000 on the one
    # scheduled date left (250,000 → 400,000).
    assert advances(case, OrderStatus.SCHEDULED) == [400_000]
    assert live_total(case) == 900_000 <= case.decided_amount == 1_200_000
    assert totals(world) == (1_200_000, 500_000, 0)  # commitment +200,000


def test_change_down_below_what_was_advanced_cancels_the_rest(world):  # type: ignore[no-untyped-def]
    case = decided(world, 1_000_000, [(1, 2), (1, 4)])
    pay(world, case.payment_orders.get(number=1))

    case = change(world, case, 600_000)

    # floor(600,000 × 3/4) = 450,000 < 500,000 already paid: nothing more is advanced.
    assert advances(case, OrderStatus.SCHEDULED) == []
    assert live_total(case) == 500_000 <= 600_000
    assert totals(world) == (600_000, 500_000, 0)


def test_regression_change_cannot_fall_below_advances_on_their_way_to_the_bank(world):  # type: ignore[no-untyped-def]
    """500,000 paid and 250,000 approved for the bank: a change to 600,000 would leave 750,000 of live orders
    against a decided amount of 600,000 (the ledger then refuses the transfer). The change's 審査 refused only
    amounts below what was paid, not below what is on its way."""
    case = decided(world, 1_000_000, [(1, 2), (1, 4)])
    first, second = case.payment_orders.order_by("number")
    pay(world, first)
    orders.prepare_order(order_id=second.pk, actor=world.staff)
    orders.approve_order(order_id=second.pk, actor=world.finance)
    lifecycle.start_change(case_id=case.pk, actor=world.secretary, reason="縮小", requested_amount=600_000)
    lifecycle.request_change(case_id=case.pk, actor=world.secretary)

    # 500,000 paid + 250,000 on its way = 750,000 is the least the change may keep.
    with pytest.raises(CaseActionError, match="支払手続中の概算払（250,000円）.*合わせた750,000円以上"):
        lifecycle.check_change(case_id=case.pk, actor=world.staff, assessed_amount=600_000)
    case.refresh_from_db()
    assert (case.status, case.decided_amount) == (Status.CHANGE_REQUESTED, 1_000_000)
    assert case.change_requests.get().assessed_amount is None


def test_regression_change_approval_refused_when_an_advance_was_drafted_after_the_check(world):  # type: ignore[no-untyped-def]
    """An advance drafted while the change waits for the approver (under the old decided amount) must not push
    the live orders above the new amount."""
    case = decided(world, 1_000_000, [(1, 2), (1, 4)])
    first, second = case.payment_orders.order_by("number")
    pay(world, first)
    lifecycle.start_change(case_id=case.pk, actor=world.secretary, reason="縮小", requested_amount=600_000)
    lifecycle.request_change(case_id=case.pk, actor=world.secretary)
    lifecycle.check_change(case_id=case.pk, actor=world.staff, assessed_amount=600_000)  # 600,000 ≥ 500,000 paid
    orders.prepare_order(order_id=second.pk, actor=world.staff)  # 250,000 drafted: 750,000 live

    with pytest.raises(CaseActionError, match="支払手続中の概算払"):
        lifecycle.approve_change(case_id=case.pk, actor=world.approver)
    case.refresh_from_db()
    assert (case.status, case.decided_amount) == (Status.CHANGE_CHECKED, 1_000_000)
    assert totals(world) == (1_000_000, 500_000, 0)


# -- the single order of a formula grant, reached through the orders' own services ---------------------------------

def _formula_prepared(case, head, staff, approver):  # type: ignore[no-untyped-def]
    """The 自治会's case decided and its one payment order drafted by ``staff`` (case 支出命令起票済)."""
    services.submit_application(case_id=case.pk, actor=head)
    services.verify_application(case_id=case.pk, actor=staff)
    services.decide_grant(case_id=case.pk, actor=approver)
    services.prepare_payment(case_id=case.pk, actor=staff)
    return case.payment_orders.get()


@pytest.mark.django_db
def test_regression_formula_order_rejected_through_the_orders_service_moves_the_case_back_with_it(  # type: ignore[no-untyped-def]
        case, association_head, staff, approver, finance):
    """A formula grant's order follows its case step for step. ``reject_order`` chose the edge by asking whether
    the case pays the order's kind in its present state; a formula case in 支出命令起票済 does not (its
    ``whole_payment`` is open only while 交付決定済), so the order was withdrawn (取りやめ) on its own: the order
    became cancelled while the case stayed 支出命令起票済, with no order left for any act to move."""
    order = _formula_prepared(case, association_head, staff, approver)

    orders.reject_order(order_id=order.pk, actor=finance, note="口座の確認が必要")

    case.refresh_from_db()
    order.refresh_from_db()
    assert (case.status, case.payment_prepared_by) == (Status.DECIDED, None)
    assert (order.status, order.prepared_by) == (OrderStatus.SCHEDULED, None)
    rows = [(e.action, e.from_state, e.to_state) for e in AuditEvent.objects.for_object(case)
            if e.action.startswith("reject")]
    assert rows == [("reject_payment", Status.PAYMENT_PREPARED, Status.DECIDED)]
    # The case can be drafted again and paid as usual.
    services.prepare_payment(case_id=case.pk, actor=staff)
    assert case.payment_orders.get().status == OrderStatus.PREPARED


@pytest.mark.django_db
def test_regression_approved_formula_order_is_not_withdrawn_behind_its_case(  # type: ignore[no-untyped-def]
        case, association_head, staff, approver, finance, finance2):
    """An approved formula order could be sent back (withdrawn) through ``reject_order``, leaving the case
    支出承認済 with a cancelled order; the case's workflow sends back only a drafted payment."""
    order = _formula_prepared(case, association_head, staff, approver)
    services.approve_payment(case_id=case.pk, actor=finance)
    before = (AuditEvent.objects.count(), list(PaymentOrder.objects.values_list("status", flat=True)))

    with pytest.raises(CaseActionError):
        orders.reject_order(order_id=order.pk, actor=finance2, note="取りやめ")

    case.refresh_from_db()
    order.refresh_from_db()
    assert (case.status, order.status) == (Status.PAYMENT_APPROVED, OrderStatus.APPROVED)
    assert (AuditEvent.objects.count(), list(PaymentOrder.objects.values_list("status", flat=True))) == before


@pytest.mark.django_db
@pytest.mark.parametrize("edge", ["reject_order_withdrawn", "withdraw_order"])
def test_formula_order_takes_no_edge_of_its_own(case, association_head, staff, approver, finance2, edge):  # type: ignore[no-untyped-def]
    """Every act on a formula grant's order is an act of its case (``payment_mirror``): an order edge the case
    does not take is refused, whoever asks, and nothing is written."""
    order = _formula_prepared(case, association_head, staff, approver)
    if edge == "withdraw_order":
        services.reject_payment(case_id=case.pk, actor=finance2, note="差戻し")
    before = (AuditEvent.objects.count(), case.payment_orders.get().status)

    with pytest.raises(CaseActionError, match="案件の手続"):
        orders.take(order.pk, edge, actor=finance2, note="取りやめ")

    assert (AuditEvent.objects.count(), case.payment_orders.get().status) == before



# -- the payment's input: its date ---------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("paid_on", [None, "2026-05-01", "missing"])
def test_regression_payment_without_a_date_is_refused_not_a_server_error(  # type: ignore[no-untyped-def]
        approved_case, finance2, paid_on):
    """``record_paid`` read ``params["paid_on"]`` as given: without it the act raised KeyError, with a text the
    ledger's date check raised TypeError. A payment needs its date (``needs``), and a date it is."""
    params = {} if paid_on == "missing" else {"paid_on": paid_on}
    before = (AuditEvent.objects.count(), LedgerEntry.objects.count())

    with pytest.raises(CaseActionError):
        services.act(case_id=approved_case.pk, edge="record_paid", actor=finance2, **params)

    assert (AuditEvent.objects.count(), LedgerEntry.objects.count()) == before
    assert GrantCase.objects.get(pk=approved_case.pk).status == Status.PAYMENT_APPROVED
    assert approved_case.payment_orders.get().status == OrderStatus.APPROVED


@pytest.mark.django_db
def test_regression_returned_transfer_without_its_payment_is_refused(approved_case, finance2):  # type: ignore[no-untyped-def]
    """``return_transfer`` read ``params["payment"]`` as given (KeyError without it, AttributeError for anything
    but a ledger entry)."""
    services.record_payment(case_id=approved_case.pk, actor=finance2)
    before = (AuditEvent.objects.count(), LedgerEntry.objects.count())
    for params in ({}, {"payment": None}, {"payment": "1"}):
        with pytest.raises(CaseActionError):
            services.act(case_id=approved_case.pk, edge="return_transfer", actor=finance2, note="口座相違", **params)
    assert (AuditEvent.objects.count(), LedgerEntry.objects.count()) == before
    assert GrantCase.objects.get(pk=approved_case.pk).status == Status.TRANSFER_SENT
