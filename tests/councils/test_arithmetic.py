"""Exact yen through the full lifecycle (GRANTS.md §3–§4): instalments, rescheduling after a change,
額の確定, 精算払 and 返還, the ledger's totals after each step, the engine's STAFF_COST / ACTUAL_COST / COST-basis
rules against the published vectors, and 加算金 / 延滞金 (``grants/councils/penalties.py``).

Every expected number is computed by hand in a comment next to it. A yearly rate of 10.95 % on a 365-day year
is 0.0003 a day (10.95 / 100 / 365 = 3/10,000), which keeps the hand computations short.
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.cases import budget, lifecycle, orders, refunds
from grants.cases.models import GrantCase, RefundOrder, RefundReason, Status
from grants.cases.penalties import attribute_to_receipts, charges
from grants.cases.workflows import CaseActionError
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry, OrderKind, OrderStatus, PaymentOrder
from grants.notices.models import Notice
from grants.programmes.engine import compute
from grants.programmes.models import (
    AmountBasis,
    ComponentKind,
    FormulaComponent,
    Programme,
    ProgrammeYear,
)
from tests.councils import builders
from tests.councils.builders import COUNCIL_CHECKS
from tests.councils.helpers import line, pay_orders
from tests.councils.test_transitions import World, make_world, new_case
from tests.factories import CURRENT_FY

RATE = Decimal("10.95")


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


# -- 概算払 instalments ---------------------------------------------------------------------------------------

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
    # the 250,001 left is paid at the 精算払 after 額の確定.


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


# -- rescheduling after a change ------------------------------------------------------------------------------

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


# -- 額の確定: min(decided, justified), 精算払 and 返還 ------------------------------------------------------------

def test_confirmation_below_the_advances_orders_a_refund(world):  # type: ignore[no-untyped-def]
    case = decided(world, 1_000_000, [(1, 2), (1, 4)])
    assert totals(world) == (1_000_000, 0, 0)
    pay_orders(case, world.staff, world.finance, world.finance2)
    assert totals(world) == (1_000_000, 750_000, 0)  # 500,000 + 250,000

    report(world, case, 700_000)
    case = lifecycle.confirm(case_id=case.pk, actor=world.approver)

    # confirmed = min(1,000,000, 700,000) = 700,000; advanced 750,000 → refund 750,000 − 700,000 = 50,000.
    assert (case.justified_amount, case.confirmed_amount) == (700_000, 700_000)
    order = RefundOrder.objects.get(case=case)
    assert (order.principal, order.reason, order.surcharge_rate) == (50_000, RefundReason.CONFIRMATION, 0)
    assert order.due_on == timezone.localdate() + dt.timedelta(days=20)  # refund_due_days = 20
    assert not case.payment_orders.filter(kind=OrderKind.SETTLEMENT).exists()
    # the commitment falls to max(700,000, 750,000 paid) = 750,000 until the refund comes back
    assert totals(world) == (750_000, 750_000, 0)

    refunds.record_refund_receipt(case_id=case.pk, actor=world.finance, amount=50_000,
                                  received_on=timezone.localdate())
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.refunded_amount == 50_000
    assert totals(world) == (700_000, 750_000, 50_000)  # 750,000 − 50,000 = 700,000 = confirmed


def test_confirmation_caps_justified_costs_at_the_decided_amount(world):  # type: ignore[no-untyped-def]
    case = decided(world, 1_000_000, [(1, 2), (1, 4)])
    pay_orders(case, world.staff, world.finance, world.finance2)

    report(world, case, 1_300_000)
    case = lifecycle.confirm(case_id=case.pk, actor=world.approver)

    # justified 1,300,000 (under the 2,000,000 limit), confirmed = min(1,000,000, 1,300,000) = 1,000,000;
    # settlement = 1,000,000 − 750,000 = 250,000.
    assert (case.justified_amount, case.confirmed_amount) == (1_300_000, 1_000_000)
    settlement = case.payment_orders.get(kind=OrderKind.SETTLEMENT)
    assert settlement.amount == 250_000 and settlement.number == 3
    assert not RefundOrder.objects.filter(case=case).exists()
    assert totals(world) == (1_000_000, 750_000, 0)
    pay_orders(case, world.staff, world.finance, world.finance2, kinds=("settlement",))
    case.refresh_from_db()
    assert (case.status, case.paid_amount) == (Status.CLOSED, 1_000_000)
    assert totals(world) == (1_000_000, 1_000_000, 0)


def test_confirmation_between_advances_and_decision_settles_the_difference(world):  # type: ignore[no-untyped-def]
    case = decided(world, 1_000_000, [(1, 2), (1, 4)])
    pay_orders(case, world.staff, world.finance, world.finance2)
    report(world, case, 900_000)
    case = lifecycle.confirm(case_id=case.pk, actor=world.approver)
    # confirmed = min(1,000,000, 900,000) = 900,000; settlement = 900,000 − 750,000 = 150,000;
    # commitment = max(900,000, 750,000) = 900,000 (100,000 released to the budget).
    assert case.payment_orders.get(kind=OrderKind.SETTLEMENT).amount == 150_000
    assert totals(world) == (900_000, 750_000, 0)
    assert BudgetAccount.objects.get(programme_year=world.py).available == 30_000_000 - 900_000


def test_advances_not_started_are_withdrawn_at_the_report(world):  # type: ignore[no-untyped-def]
    case = decided(world, 1_000_000, [(1, 2), (1, 4)])
    pay(world, case.payment_orders.get(number=1))
    report(world, case, 1_000_000)
    assert advances(case, OrderStatus.CANCELLED) == [250_000]
    case = lifecycle.confirm(case_id=case.pk, actor=world.approver)
    # confirmed 1,000,000 − 500,000 paid = 500,000 at the 精算払
    assert case.payment_orders.get(kind=OrderKind.SETTLEMENT).amount == 500_000
    assert live_total(case) == 1_000_000 == case.confirmed_amount


def test_partial_cancellation_keeps_part_and_orders_the_rest_back_with_surcharge(world):  # type: ignore[no-untyped-def]
    case = decided(world, 1_000_000, [(1, 2), (1, 4)])
    pay_orders(case, world.staff, world.finance, world.finance2)  # 750,000 paid

    lifecycle.cancel(case_id=case.pk, actor=world.approver, note="一部の事業を実施しなかった", kept_amount=600_000)

    case.refresh_from_db()
    order = RefundOrder.objects.get(case=case)
    # kept 600,000; paid 750,000 → refund 150,000 with 加算金 (a cancellation) at the year's 10.95 %
    assert (case.status, case.confirmed_amount) == (Status.CANCELLED, 600_000)
    assert (order.principal, order.reason, order.surcharge_rate, order.late_rate) == (
        150_000, RefundReason.CANCELLATION, RATE, RATE)
    assert totals(world) == (750_000, 750_000, 0)  # commitment stays at what was paid


def test_cancellation_with_a_scheduled_advance_pays_what_is_kept(world):  # type: ignore[no-untyped-def]
    case = decided(world, 1_000_000, [(1, 2), (1, 4)])
    pay(world, case.payment_orders.get(number=1))  # 500,000 paid, 250,000 scheduled
    lifecycle.cancel(case_id=case.pk, actor=world.approver, note="一部取消", kept_amount=700_000)
    case.refresh_from_db()
    # the scheduled 250,000 is withdrawn; kept 700,000 − 500,000 paid = 200,000 at the 精算払
    assert advances(case, OrderStatus.CANCELLED) == [250_000]
    assert case.payment_orders.get(kind=OrderKind.SETTLEMENT).amount == 200_000
    assert totals(world) == (700_000, 500_000, 0)


# -- the engine: STAFF_COST, ACTUAL_COST and the COST basis (GRANTS.md §4) -----------------------------------

def _rule(code: str, basis: str = AmountBasis.COST, components: tuple[tuple[str, int], ...] = (),
          **fields: object) -> ProgrammeYear:
    programme = Programme.objects.create(code=code, name=code, recipient_kind="kyogikai", workflow="full",
                                         checks=COUNCIL_CHECKS)
    py = ProgrammeYear.objects.create(
        programme=programme, fiscal_year=CURRENT_FY, base_date=dt.date(CURRENT_FY, 4, 1),
        application_opens=dt.date(CURRENT_FY, 4, 1), application_closes=dt.date(CURRENT_FY + 1, 3, 31),
        amount_basis=basis, **fields)
    for order, (kind, unit) in enumerate(components):
        FormulaComponent.objects.create(programme_year=py, order=order, kind=kind, label=kind, unit_amount=unit)
    return py


@pytest.mark.django_db
def test_hamamatsu_half_of_eligible_cost_rounded_down_to_thousands() -> None:
    rule = _rule("hamamatsu", rate_numerator=1, rate_denominator=2, cap_amount=2_000_000, rounding_unit=1000)
    result = compute(rule, {"eligible_cost": 1_234_567})
    # 1,234,567 × 1/2 = 617,283.5 → 617,283 (円未満切捨て) → 617,000 (千円未満切捨て)
    assert result.amount == 617_000
    assert [(line.label, line.amount) for line in result.lines] == [
        ("補助対象経費", 1_234_567), ("補助率", 617_283), ("端数処理", 617_000), ("交付額", 617_000)]
    # the cap: 5,000,000 × 1/2 = 2,500,000 → cap 2,000,000
    assert compute(rule, {"eligible_cost": 5_000_000}).amount == 2_000_000


@pytest.mark.django_db
def test_sammu_eligible_cost_less_income_with_cap() -> None:
    rule = _rule("sammu", deduct_income=True, cap_amount=300_000)
    # min(250,000, 250,000 − 40,000) = 210,000
    assert compute(rule, {"eligible_cost": 250_000, "income": 40_000}).amount == 210_000
    # min(400,000, 360,000) = 360,000 → cap 300,000
    assert compute(rule, {"eligible_cost": 400_000, "income": 40_000}).amount == 300_000
    # income above the cost: nothing is granted
    assert compute(rule, {"eligible_cost": 30_000, "income": 40_000}).amount == 0


@pytest.mark.django_db
def test_rate_half_rounds_each_yen_down() -> None:
    rule = _rule("half", rate_numerator=1, rate_denominator=2)
    assert compute(rule, {"eligible_cost": 1_001}).amount == 500  # 500.5 → 500
    assert compute(rule, {"eligible_cost": 1}).amount == 0  # 0.5 → 0


@pytest.mark.django_db
def test_formula_limits_the_cost_basis() -> None:
    rule = _rule("katsudo", components=((ComponentKind.FLAT, 2_000_000), (ComponentKind.PER_HOUSEHOLD, 100)))
    # limit = 2,000,000 + 100 × 3,000 = 2,300,000
    assert compute(rule, {"eligible_cost": 2_500_000, "households": 3_000}).amount == 2_300_000
    assert compute(rule, {"eligible_cost": 1_500_000, "households": 3_000}).amount == 1_500_000


@pytest.mark.django_db
def test_staff_cost_per_person_and_running_costs_with_their_limits() -> None:
    rule = _rule("unei", AmountBasis.FORMULA,
                 ((ComponentKind.STAFF_COST, 2_400_000), (ComponentKind.ACTUAL_COST, 600_000)))
    result = compute(rule, {"staff_costs": [2_484_000, 1_800_000], "running_costs": 700_000})
    # min(2,400,000, 2,484,000) + min(2,400,000, 1,800,000) = 4,200,000; min(600,000, 700,000) = 600,000
    assert [line.amount for line in result.lines[:2]] == [4_200_000, 600_000]
    assert result.amount == 4_800_000
    assert compute(rule, {"staff_costs": [], "running_costs": 550_000}).amount == 550_000


def test_case_amount_adds_each_persons_lines_before_the_standard(council, unei, staff, staff2, approver, finance,  # type: ignore[no-untyped-def]
                                                                  finance2, auditor):
    w = make_world(council, unei, staff, staff2, approver, finance, finance2, auditor)
    first = builders.staff_member(w.org, w.secretary)
    second = builders.staff_member(w.org, w.secretary, name="鈴木 一郎")
    case = builders.draft_case(unei, w.org, start=dt.date(CURRENT_FY, 4, 1))
    day = dt.date(CURRENT_FY, 4, 1)
    for person, amount in ((first, 1_300_000), (first, 1_184_000), (second, 1_000_000)):
        line(case, w.secretary, category=w.cats["jinkenhi"], staff=person, amount=amount, spent_on=day,
             description="人件費")
    line(case, w.secretary, category=w.cats["kounetsu"], amount=650_000, spent_on=day, description="光熱水費")
    result = budget.compute_amount(case, budget.current_lines(case))
    # 佐藤: 1,300,000 + 1,184,000 = 2,484,000 → 2,400,000; 鈴木: 1,000,000; running min(600,000, 650,000)
    # = 600,000 → 2,400,000 + 1,000,000 + 600,000 = 4,000,000
    assert result.amount == 4_000_000


def test_case_amount_deducts_project_income(council, staff, staff2, approver, finance, finance2, auditor):  # type: ignore[no-untyped-def]
    py = builders.katsudo_year(deduct_income=True)
    w = make_world(council, py, staff, staff2, approver, finance, finance2, auditor)
    case = new_case(w, 500_000)
    line(case, w.secretary, kind="income", amount=120_000, description="参加費収入")
    # min(500,000 × 10/10, 500,000 − 120,000, 2,000,000) = 380,000
    assert budget.compute_amount(case, budget.current_lines(case)).amount == 380_000


# -- 加算金 and 延滞金 (penalties.py) -------------------------------------------------------------------------------

def test_late_interest_on_a_million_for_thirty_days() -> None:
    due = dt.date(2025, 6, 30)
    owed = charges(principal=1_000_000, advances=[(dt.date(2025, 4, 1), 1_000_000)], due_on=due,
                   surcharge_rate=Decimal("0"), late_rate=RATE, repayments=[], on=due + dt.timedelta(days=30))
    # 1,000,000 × 10.95 % × 30 / 365 = 1,000,000 × 0.0009 = 9,000
    assert (owed.principal_unpaid, owed.surcharge, owed.late, owed.total) == (1_000_000, 0, 9_000, 1_009_000)
    # nothing runs up to and including the due date
    assert charges(principal=1_000_000, advances=[(dt.date(2025, 4, 1), 1_000_000)], due_on=due,
                   surcharge_rate=Decimal("0"), late_rate=RATE, repayments=[], on=due).late == 0


def test_surcharge_is_taken_from_the_latest_advances_first() -> None:
    first, second = (dt.date(2025, 4, 10), 600_000), (dt.date(2025, 7, 10), 400_000)
    # 500,000 to refund: 400,000 from the 7/10 advance, then 100,000 from the 4/10 one
    assert attribute_to_receipts(500_000, [first, second]) == [(second[0], 400_000), (first[0], 100_000)]
    owed = charges(principal=500_000, advances=[first, second], due_on=dt.date(2025, 11, 30), surcharge_rate=RATE,
                   late_rate=RATE, repayments=[(dt.date(2025, 10, 17), 500_000)], on=dt.date(2025, 10, 17))
    # 7/10 … 10/17 both counted = 22 + 31 + 30 + 17 = 100 days: 400,000 × 0.0003 × 100 = 12,000
    # 4/10 … 10/17 = 21 + 31 + 30 + 31 + 31 + 30 + 17 = 191 days: 100,000 × 0.0003 × 191 = 5,730
    assert (owed.principal_unpaid, owed.surcharge, owed.late) == (0, 17_730, 0)


def test_refund_above_what_was_received_is_an_error() -> None:
    with pytest.raises(ValueError, match="返還額が受領した額を超えています。"):
        attribute_to_receipts(500_001, [(dt.date(2025, 4, 1), 500_000)])


def test_partial_repayments_stop_both_charges_on_what_they_repay() -> None:
    advance = [(dt.date(2025, 4, 1), 1_000_000)]
    repaid = [(dt.date(2025, 7, 30), 400_000), (dt.date(2025, 8, 29), 600_000)]

    def on(day: dt.date):  # type: ignore[no-untyped-def]
        return charges(principal=1_000_000, advances=advance, due_on=dt.date(2025, 6, 30), surcharge_rate=RATE,
                       late_rate=RATE, repayments=repaid, on=day)

    # 延滞金: 1,000,000 × 0.0003 × 30 (7/1 … 7/30) = 9,000, then 600,000 × 0.0003 × 30 (7/31 … 8/29) = 5,400
    # 加算金: 400,000 × 0.0003 × 121 (4/1 … 7/30) = 14,520, then 600,000 × 0.0003 × 151 (4/1 … 8/29) = 27,180
    settled = on(dt.date(2025, 8, 29))
    assert (settled.principal_unpaid, settled.surcharge, settled.late) == (0, 41_700, 14_400)
    assert on(dt.date(2026, 3, 31)) == settled  # nothing accrues once the principal is back
    # on 8/1, between the two: 延滞金 9,000 + 600,000 × 0.0003 × 2 = 9,360;
    # 加算金 14,520 + 600,000 × 0.0003 × 123 (4/1 … 8/1) = 36,660
    between = on(dt.date(2025, 8, 1))
    assert (between.principal_unpaid, between.surcharge, between.late) == (600_000, 36_660, 9_360)
    # repayments after the day asked about do not count yet
    assert on(dt.date(2025, 7, 29)).principal_unpaid == 1_000_000


def test_repayments_above_the_principal_are_an_error() -> None:
    with pytest.raises(ValueError):
        charges(principal=100, advances=[(dt.date(2025, 4, 1), 100)], due_on=dt.date(2025, 5, 1),
                surcharge_rate=RATE, late_rate=RATE, repayments=[(dt.date(2025, 4, 2), 101)], on=dt.date(2025, 4, 2))


def test_a_leap_year_is_still_counted_on_365_days() -> None:
    def late(due: dt.date, day: dt.date) -> int:
        return charges(principal=1_000_000, advances=[(dt.date(2027, 4, 1), 1_000_000)], due_on=due,
                       surcharge_rate=Decimal("0"), late_rate=RATE, repayments=[], on=day).late

    # 2027-12-31 → 2028-12-31: 366 days (2028 is a leap year) × 0.0003 × 1,000,000 = 109,800 (not 109,500)
    assert late(dt.date(2027, 12, 31), dt.date(2028, 12, 31)) == 109_800
    # 2/29 and 3/1: 2 days → 600
    assert late(dt.date(2028, 2, 28), dt.date(2028, 3, 1)) == 600


def test_penalties_are_rounded_once_to_the_rules_unit() -> None:
    due = dt.date(2025, 6, 30)

    def late(unit: int) -> int:
        return charges(principal=1_234_567, advances=[(dt.date(2025, 4, 1), 1_234_567)], due_on=due,
                       surcharge_rate=Decimal("0"), late_rate=RATE,
                       repayments=[(due + dt.timedelta(days=17), 884_567)], on=due + dt.timedelta(days=27),
                       rounding_unit=unit).late

    # 1,234,567 × 0.0003 × 17 = 6,296.2917; then 350,000 × 0.0003 × 10 = 1,050; total 7,346.2917
    assert late(1) == 7_346
    assert late(100) == 7_300  # rounded once: per period it would be 6,200 + 1,000 = 7,200


# -- 返還金の納付: principal, then 加算金, then 延滞金 ------------------------------------------------------------

def test_refund_receipts_go_to_principal_then_surcharge_then_late_interest(world):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    case = decided(world, 1_000_000, [(1, 2), (1, 4)])
    first, second = case.payment_orders.order_by("number")
    pay(world, first, on=today - dt.timedelta(days=100))  # 500,000 received 100 days ago
    pay(world, second, on=today - dt.timedelta(days=50))  # 250,000 received 50 days ago
    lifecycle.cancel(case_id=case.pk, actor=world.approver, note="目的外使用", kept_amount=0)
    assert totals(world) == (750_000, 750_000, 0)
    order = RefundOrder.objects.get(case=case)
    assert order.principal == 750_000
    # the 返還命令 was issued 40 days ago, due 20 days ago (納期限)
    RefundOrder.objects.filter(pk=order.pk).update(ordered_on=today - dt.timedelta(days=40),
                                                   due_on=today - dt.timedelta(days=20))
    order.refresh_from_db()
    # owed today: 加算金 250,000 × 0.0003 × 51 = 3,825 + 500,000 × 0.0003 × 101 = 15,150 → 18,975;
    # 延滞金 750,000 × 0.0003 × 20 = 4,500
    assert refunds.outstanding(order, today) == {"principal": 750_000, "surcharge": 18_975, "late": 4_500}

    def receive(amount: int):  # type: ignore[no-untyped-def]
        return refunds.record_refund_receipt(case_id=case.pk, actor=world.finance, amount=amount, received_on=today)

    r1 = receive(700_000)
    assert (r1.principal_part, r1.surcharge_part, r1.late_part) == (700_000, 0, 0)
    assert totals(world) == (50_000, 750_000, 700_000)  # commitment falls with the principal returned
    # the charges stop on what came back today and are unchanged: 50,000 + 18,975 + 4,500 = 73,475 still due
    assert refunds.outstanding(order, today) == {"principal": 50_000, "surcharge": 18_975, "late": 4_500}

    r2 = receive(60_000)
    assert (r2.principal_part, r2.surcharge_part, r2.late_part) == (50_000, 10_000, 0)
    assert totals(world) == (0, 750_000, 750_000)

    with pytest.raises(CaseActionError, match="納付すべき額（13,475円）を超えています"):
        receive(13_476)  # 8,975 + 4,500 = 13,475 due
    assert order.receipts.count() == 2

    r3 = receive(13_475)
    assert (r3.principal_part, r3.surcharge_part, r3.late_part) == (0, 8_975, 4_500)
    order.refresh_from_db()
    case.refresh_from_db()
    assert order.status == "settled" and case.status == Status.CLOSED
    assert case.refunded_amount == 750_000 and case.confirmed_amount == 0
    refunds_posted = LedgerEntry.objects.filter(case=case, kind=EntryKind.REFUND).order_by("pk")
    assert [e.amount for e in refunds_posted] == [700_000, 50_000]  # charges are revenue, not refunds
    assert r3.ledger_entry is None


def test_refund_receipt_refuses_overpayment_and_non_finance(world):  # type: ignore[no-untyped-def]
    case = decided(world, 1_000_000, [(1, 2), (1, 4)])
    pay_orders(case, world.staff, world.finance, world.finance2)
    report(world, case, 700_000)
    lifecycle.confirm(case_id=case.pk, actor=world.approver)  # refund 50,000, no 加算金, due in 20 days
    today = timezone.localdate()
    with pytest.raises(CaseActionError, match="会計課の職員のみ"):
        refunds.record_refund_receipt(case_id=case.pk, actor=world.staff, amount=50_000, received_on=today)
    with pytest.raises(CaseActionError, match="納付すべき額（50,000円）を超えています"):
        refunds.record_refund_receipt(case_id=case.pk, actor=world.finance, amount=50_001, received_on=today)
    with pytest.raises(CaseActionError, match="1円以上の整数"):
        refunds.record_refund_receipt(case_id=case.pk, actor=world.finance, amount=0, received_on=today)
    with pytest.raises(CaseActionError, match="本日までの日付"):
        refunds.record_refund_receipt(case_id=case.pk, actor=world.finance, amount=1,
                                      received_on=today + dt.timedelta(days=1))
    assert totals(world) == (750_000, 750_000, 0)
    refunds.record_refund_receipt(case_id=case.pk, actor=world.finance, amount=20_000, received_on=today)
    case.refresh_from_db()
    assert case.status == Status.CONFIRMED  # 30,000 still due
    refunds.record_refund_receipt(case_id=case.pk, actor=world.finance, amount=30_000, received_on=today)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert totals(world) == (700_000, 750_000, 50_000)


def test_regression_project_income_is_deducted_at_verification_and_at_the_report(  # type: ignore[no-untyped-def]
        council, staff, staff2, approver, finance, finance2, auditor):
    """COST basis with 事業収入の控除: income lines count at every stage, not only at the application. They used
    to be dropped with the expense lines that failed a check (``eligible_lines`` kept expense lines only), so
    審査 and 実績審査 computed the amount without deducting income."""
    py = builders.katsudo_year(deduct_income=True)
    w = make_world(council, py, staff, staff2, approver, finance, finance2, auditor)
    case = new_case(w, 500_000)
    line(case, w.secretary, kind="income", amount=120_000, description="参加費収入")
    lifecycle.submit(case_id=case.pk, actor=w.secretary)
    case.refresh_from_db()
    assert case.applied_amount == 380_000  # min(500,000, 500,000 − 120,000)
    with pytest.raises(CaseActionError, match="380,000円"):
        lifecycle.verify(case_id=case.pk, actor=w.staff, assessed_amount=500_000, completion_deadline=w.deadline())
    case = lifecycle.verify(case_id=case.pk, actor=w.staff, assessed_amount=380_000,
                            completion_deadline=w.deadline())
    assert case.computed_amount == 380_000
    lifecycle.decide(case_id=case.pk, actor=w.approver)

    lifecycle.save_report(case_id=case.pk, actor=w.secretary, narrative="実施", completed_on=timezone.localdate())
    line(case, w.secretary, where="report", category=w.cats["genzairyo"], plan_item=builders.item(w.plan, "1-1-2"),
         amount=500_000, description="原材料（実績）")
    line(case, w.secretary, where="report", kind="income", amount=200_000, description="参加費収入（実績）")
    lifecycle.submit_report(case_id=case.pk, actor=w.secretary)
    case = lifecycle.verify_report(case_id=case.pk, actor=w.staff)
    # justified = min(500,000, 500,000 − 200,000) = 300,000; confirmed = min(380,000, 300,000) = 300,000
    assert case.justified_amount == 300_000
    case = lifecycle.confirm(case_id=case.pk, actor=w.approver)
    assert case.confirmed_amount == 300_000
    assert case.payment_orders.get(kind=OrderKind.SETTLEMENT).amount == 300_000
