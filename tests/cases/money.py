"""Money steps of the full-lifecycle tests (no tests here), shared by the orders, settlement, refund and budget
tests: a council case decided at an amount with its 概算払 plan, its advances, what it may still receive, an order
paid, the budget's totals, a verified 実績報告, and the case's agreement with its ledger.

Every expected number in those tests is computed by hand in a comment next to it. A yearly rate of 10.95 % on a
365-day year (``RATE``) is 0.0003 a day (10.95 / 100 / 365 = 3/10,000), which keeps the hand computations short."""
import datetime as dt
from decimal import Decimal

from django.utils import timezone

from grants.cases import lifecycle, orders
from grants.cases.models import GrantCase
from grants.ledger.models import BudgetAccount, EntryKind, OrderKind, OrderStatus, PaymentOrder
from grants.ledger.services import case_totals
from tests.cases.world import World, new_case
from tests.councils import builders
from tests.councils.helpers import line
from tests.councils.steps import fresh

RATE = Decimal("10.95")


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
    orders.confirm_order_transfer(order_id=order.pk, actor=w.finance2)


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


def assert_ledger_matches(case) -> None:  # type: ignore[no-untyped-def]
    """The case's stored amounts agree with its ledger rows, and paid − refunded ≤ committed."""
    case = fresh(case)
    totals = case_totals(case)
    assert totals[EntryKind.PAYMENT] == case.paid_amount
    assert totals[EntryKind.REFUND] == case.refunded_amount
    assert case.paid_amount - case.refunded_amount <= totals[EntryKind.COMMITMENT]
