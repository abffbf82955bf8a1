"""Exact yen through the full lifecycle (GRANTS.md §3–§4): instalments, rescheduling after a change,
額の確定, 精算払 and 返還, the ledger's totals after each step, the engine's STAFF_COST / ACTUAL_COST / COST-basis
rules against the published vectors, and 加算金 / 延滞金 (``grants/councils/penalties.py``).

Every expected number is computed by hand in a comment next to it. A yearly rate of 10.95 % on a 365-day year
is 0.0003 a day (10.95 / 100 / 365 = 3/10,000), which keeps the hand computations short."""
import datetime as dt

import pytest
from django.utils import timezone

from grants.cases import lifecycle, orders
from grants.cases.models import GrantCase, Status
from grants.cases.workflows import CaseActionError
from grants.ledger.models import BudgetAccount, OrderKind, OrderStatus, PaymentOrder
from grants.notices.models import Notice
from tests.cases.world import World, make_world, new_case
from tests.councils import builders
from tests.councils.helpers import line, pay_orders


@pytest.fixture
def world(council, katsudo, staff, staff2, approver, finance, finance2, auditor):  # type: ignore[no-untyped-def]
    return make_world(council, katsudo, staff, staff2, approver, finance, finance2, auditor)


def decided(w: World, amount: int, shares: list[tuple[int, int]] | None = None) -> GrantCase:
    """A case applied for and decided at ``amount`` yen, with the year's 概算払 plan ``shares``."""
    if shares:
        builders.instalments(w.py, shares)
    case = new_case(w, amount)
    lifecycle.submit(case_id=case.pk, actor=w.secretary)
    lifecycle.verify(case_id=case.pk, actor=w.staff, assessed_amount=amount, completion_deadline=w.deadline())
    return lifecycle.decide(case_id=case.pk, actor=w.approver)


def advances(case: GrantCase, *statuses: str) -> list[int]:
    qs = case.payment_orders.filter(kind=OrderKind.ADVANCE).order_by("number")
    if statuses:
        qs = qs.filter(status__in=statuses)
    return list(qs.values_list("amount", flat=True))


def live_total(case: GrantCase) -> int:
    """Scheduled, drafted, approved and paid orders: what the case may still receive or has received."""
    return sum(case.payment_orders.exclude(status=OrderStatus.CANCELLED).values_list("amount", flat=True))


def pay(w: World, order: PaymentOrder, on: dt.date | None = None) -> None:
    """起票 (staff), 支出承認 (finance) and the bank's transfer on ``on`` (today by default)."""
    orders.prepare_order(order_id=order.pk, actor=w.staff)
    orders.approve_order(order_id=order.pk, actor=w.finance)
    orders.record_order_paid(order_id=order.pk, actor=w.finance2, paid_on=on or timezone.localdate())


def totals(w: World) -> tuple[int, int, int]:
    account = BudgetAccount.objects.get(programme_year=w.py)
    return account.committed, account.paid, account.refunded


def report(w: World, case: GrantCase, amount: int) -> GrantCase:
    """実績報告 of one eligible line of ``amount`` yen, submitted and verified."""
    lifecycle.save_report(case_id=case.pk, actor=w.secretary, narrative="事業を実施しました。",
                          completed_on=timezone.localdate())
    line(case, w.secretary, where="report", category=w.cats["genzairyo"], plan_item=builders.item(w.plan, "1-1-2"),
         amount=amount, description="原材料（実績）")
    lifecycle.submit_report(case_id=case.pk, actor=w.secretary)
    return lifecycle.verify_report(case_id=case.pk, actor=w.staff)


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
