"""Exact yen of 額の確定 and 精算 through the full lifecycle (GRANTS.md §3–§4): confirmation below, at and above
the advances, advances withdrawn at the report, and a 一部取消 that keeps part and orders the rest back.

Every expected number is computed by hand in a comment next to it; the steps and the rate are in
tests/cases/money.py."""
import datetime as dt

from django.urls import reverse
from django.utils import timezone

from grants.cases import lifecycle, refunds
from grants.cases.models import RefundOrder, RefundReason, Status
from grants.core.money import RoundingMode
from grants.ledger.models import BudgetAccount, OrderKind, OrderStatus
from grants.programmes.models import AmountBasis, ComponentKind, CostBand, FormulaComponent, ProgrammeYear
from tests.cases.money import RATE, advances, decided, live_total, pay, report, totals
from tests.cases.world import new_case
from tests.councils.helpers import pay_orders


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


# -- the rule shapes of issue 12 through the application and 額の確定 ------------------------------------------------

def _banded(world) -> None:  # type: ignore[no-untyped-def]
    """活動支援 with 「100,000円までの部分は10/10、それを超える部分は1/2」 (the components stay a limit)."""
    CostBand.objects.create(programme_year=world.py, up_to=100_000, rate_numerator=1, rate_denominator=1)
    CostBand.objects.create(programme_year=world.py, up_to=None, rate_numerator=1, rate_denominator=2)


def test_marginal_cost_bands_set_the_applied_and_the_confirmed_amount(world, client):  # type: ignore[no-untyped-def]
    _banded(world)
    case = new_case(world, 300_000)
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    case.refresh_from_db()
    # applied = 100,000 × 10/10 + 200,000 × 1/2 = 200,000
    assert case.applied_amount == 200_000
    lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=200_000,
                     completion_deadline=world.deadline())
    case = lifecycle.decide(case_id=case.pk, actor=world.approver)
    assert case.decided_amount == 200_000
    client.force_login(world.secretary)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "100,000円までの部分 100,000円 × 10/10 ＋ 100,000円を超える部分 200,000円 × 1/2（円未満切捨て）" in page

    report(world, case, 150_000)
    case = lifecycle.confirm(case_id=case.pk, actor=world.approver)
    # justified = 100,000 + 50,000 × 1/2 = 125,000; confirmed = min(200,000, 125,000) = 125,000
    assert (case.justified_amount, case.confirmed_amount) == (125_000, 125_000)


def test_base_amount_plus_half_rounded_half_up_through_the_application_and_confirmation(world):  # type: ignore[no-untyped-def]
    world.py.components.all().delete()
    FormulaComponent.objects.create(programme_year=world.py, kind=ComponentKind.FLAT, label="基本額",
                                    unit_amount=50_000)
    ProgrammeYear.objects.filter(pk=world.py.pk).update(
        amount_basis=AmountBasis.COST_PLUS, rate_numerator=1, rate_denominator=2,
        rate_rounding_mode=RoundingMode.HALF_UP)
    case = new_case(world, 100_001)
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    case.refresh_from_db()
    # 50,000 + 100,001 × 1/2 (50,000.5 → 50,001, 円未満四捨五入) = 100,001
    assert case.applied_amount == 100_001
    lifecycle.verify(case_id=case.pk, actor=world.staff, assessed_amount=100_001,
                     completion_deadline=world.deadline())
    case = lifecycle.decide(case_id=case.pk, actor=world.approver)
    report(world, case, 120_001)
    case = lifecycle.confirm(case_id=case.pk, actor=world.approver)
    # justified = 50,000 + 120,001 × 1/2 (60,000.5 → 60,001) = 110,001; confirmed = min(100,001 decided, 110,001)
    assert (case.justified_amount, case.confirmed_amount) == (110_001, 100_001)
