"""Exact yen of 返還 through the full lifecycle (GRANTS.md §4): receipts go to the principal, then 加算金, then
延滞金; the amounts and dates a receipt accepts; interest around the due date; a refund recorded twice.

Every expected number is computed by hand in a comment next to it; the steps and the rate are in
tests/cases/money.py."""
import datetime as dt

import pytest
from django.utils import timezone

from grants.cases import lifecycle, refunds
from grants.cases.models import RefundOrder, RefundReceipt, RefundStatus, Status
from grants.cases.workflows import CaseActionError
from grants.core.deadlines import DayCounting
from grants.ledger.models import EntryKind, LedgerEntry
from grants.programmes.models import ProgrammeYear
from tests.cases.money import assert_ledger_matches, decided, pay, report, totals
from tests.councils.helpers import pay_orders
from tests.councils.steps import fresh, paid, reported, today


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


def test_regression_refund_receipt_dated_by_a_text_or_a_datetime_is_refused(world):  # type: ignore[no-untyped-def]
    """The 納付日 was compared with the order's date as given: a text or a datetime raised TypeError (a server
    error) instead of the refusal naming the field; nothing may be written either way."""
    case = decided(world, 1_000_000, [(1, 2), (1, 4)])
    pay_orders(case, world.staff, world.finance, world.finance2)
    report(world, case, 700_000)
    lifecycle.confirm(case_id=case.pk, actor=world.approver)  # refund 50,000
    for day in (timezone.localdate().isoformat(), timezone.now()):
        with pytest.raises(CaseActionError, match="納付日"):
            refunds.record_refund_receipt(case_id=case.pk, actor=world.finance, amount=1_000, received_on=day)  # type: ignore[arg-type]
    assert not RefundReceipt.objects.exists()
    assert totals(world) == (750_000, 750_000, 0)


# Money invariants of the full lifecycle under attack: live payment orders against the decided and confirmed
# amounts, commitments against what was paid, refunds against what was received, returned transfers of advances
# and settlements, and whether a case can close with money owed either way.


@pytest.fixture
def refund_of_50000(katsudo, council, staff, approver, finance, finance2):  # type: ignore[no-untyped-def]
    """Paid 750,000, confirmed 700,000: a 返還命令 of 50,000, due 20 days after today, 延滞金 10.95 %."""
    case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
    reported(case, plan, cats, council[1], staff)
    case = lifecycle.confirm(case_id=case.pk, actor=approver)
    return case, case.refund_order


def on(monkeypatch, day):  # type: ignore[no-untyped-def]
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)


@pytest.mark.django_db
def test_the_refund_due_date_is_counted_as_the_rule_says(katsudo, council, staff, approver, finance,  # type: ignore[no-untyped-def]
                                                        finance2) -> None:
    """「返還命令の日を含めて20日以内」 (初日算入): due on the order day + 19, not + 20 as 翌日起算 (the default)."""
    ProgrammeYear.objects.filter(pk=katsudo.pk).update(refund_due_counting=DayCounting.INCLUSIVE)
    katsudo.refresh_from_db()
    assert katsudo.refund_due_wording == "返還命令の日を含めて20日以内"
    case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
    reported(case, plan, cats, council[1], staff)
    order = lifecycle.confirm(case_id=case.pk, actor=approver).refund_order
    assert order.due_on == order.ordered_on + dt.timedelta(days=19)


def test_the_refund_due_date_of_each_counting() -> None:
    rule = ProgrammeYear(refund_due_days=20)
    assert rule.refund_due_wording == "返還命令の日の翌日から起算して20日以内"
    assert rule.refund_due_on(dt.date(2028, 2, 9)) == dt.date(2028, 2, 29)  # + 20, onto the leap day
    rule.refund_due_counting = DayCounting.INCLUSIVE
    assert rule.refund_due_on(dt.date(2028, 2, 9)) == dt.date(2028, 2, 28)  # + 19


@pytest.mark.django_db
def test_refund_amounts_and_dates_are_checked(refund_of_50000, finance, staff) -> None:  # type: ignore[no-untyped-def]
    case, order = refund_of_50000
    for amount in (0, -1, True, 1.0, "50000", None, 50_001):
        with pytest.raises(CaseActionError, match="納付額"):
            refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=amount, received_on=today())
    for day in (today() + dt.timedelta(days=1), order.ordered_on - dt.timedelta(days=1), None):
        with pytest.raises(CaseActionError, match="納付日"):
            refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=1, received_on=day)
    with pytest.raises(CaseActionError, match="会計課"):
        refunds.record_refund_receipt(case_id=case.pk, actor=staff, amount=1, received_on=today())
    assert fresh(case).refunded_amount == 0


@pytest.mark.django_db
def test_refund_paid_on_the_due_date_itself_owes_no_late_interest(refund_of_50000, finance, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    case, order = refund_of_50000
    on(monkeypatch, order.due_on)
    assert refunds.outstanding(order, order.due_on) == {"principal": 50_000, "surcharge": 0, "late": 0}
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=50_000, received_on=order.due_on)
    assert fresh(case).status == Status.CLOSED


@pytest.mark.django_db
def test_refund_a_day_late_owes_one_days_interest_before_the_case_closes(refund_of_50000, finance,
                                                                          monkeypatch) -> None:  # type: ignore[no-untyped-def]
    case, order = refund_of_50000
    late_day = order.due_on + dt.timedelta(days=1)
    on(monkeypatch, late_day)
    # 50,000 × 10.95 % × 1/365 = 15 yen.
    assert refunds.outstanding(order, late_day) == {"principal": 50_000, "surcharge": 0, "late": 15}
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=50_000, received_on=late_day)
    order.refresh_from_db()
    assert order.status == RefundStatus.ORDERED and fresh(case).status == Status.CONFIRMED
    later = late_day + dt.timedelta(days=30)
    on(monkeypatch, later)
    # Nothing accrues once the principal is back: still 15 yen, and not a yen more.
    assert refunds.outstanding(order, later) == {"principal": 0, "surcharge": 0, "late": 15}
    with pytest.raises(CaseActionError, match="納付すべき額"):
        refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=16, received_on=later)
    receipt = refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=15, received_on=later)
    assert (receipt.principal_part, receipt.late_part) == (0, 15)
    assert fresh(case).status == Status.CLOSED
    assert_ledger_matches(case)


@pytest.mark.django_db
def test_partial_refunds_before_and_after_the_due_date(refund_of_50000, finance, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    case, order = refund_of_50000
    on(monkeypatch, order.due_on)
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=20_000, received_on=order.due_on)
    ten_late = order.due_on + dt.timedelta(days=10)
    on(monkeypatch, ten_late)
    # 30,000 × 10.95 % × 10/365 = 90 yen, on the 30,000 still unpaid only.
    assert refunds.outstanding(order, ten_late) == {"principal": 30_000, "surcharge": 0, "late": 90}
    with pytest.raises(CaseActionError, match="前回の納付日"):
        refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=1, received_on=order.due_on -
                                      dt.timedelta(days=1))
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=30_090, received_on=ten_late)
    case = fresh(case)
    assert (case.refunded_amount, case.status) == (50_000, Status.CLOSED)
    assert_ledger_matches(case)


@pytest.mark.django_db
def test_cancellation_refund_carries_the_surcharge_from_the_day_received(katsudo, council, staff, approver,
                                                                         finance, finance2, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = paid(katsudo, council, staff, approver, finance, finance2, shares=((1, 2),))
    received = case.payment_orders.get().paid_on
    case = lifecycle.cancel(case_id=case.pk, actor=approver, note="目的外使用", kept_amount=0)
    order = case.refund_order
    assert (order.principal, order.reason) == (500_000, "cancellation")
    on(monkeypatch, order.due_on)
    days = (order.due_on - received).days + 1  # both days counted
    expected = 500_000 * 1095 * days // (10000 * 365)
    assert refunds.outstanding(order, order.due_on) == {"principal": 500_000, "surcharge": expected, "late": 0}
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=500_000 + expected,
                                  received_on=order.due_on)
    case = fresh(case)
    assert (case.status, case.refunded_amount, case.confirmed_amount) == (Status.CLOSED, 500_000, 0)
    assert_ledger_matches(case)


# Double clicks: every act posted twice in a row. The second is refused with a message (or, where two equal
# acts are legitimate, does exactly what it says), and nothing is written twice.


@pytest.mark.django_db
def test_full_refund_recorded_twice_is_refused_the_second_time(katsudo, council, staff, approver, finance,
                                                              finance2) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
    reported(case, plan, cats, council[1], staff)
    lifecycle.confirm(case_id=case.pk, actor=approver)  # paid 750,000, confirmed 700,000: refund 50,000
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=50_000, received_on=today())
    with pytest.raises(CaseActionError, match="納付を待っている返還命令はありません"):
        refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=50_000, received_on=today())
    case = fresh(case)
    assert (case.refunded_amount, case.status, RefundReceipt.objects.count()) == (50_000, Status.CLOSED, 1)


@pytest.mark.django_db
def test_partial_refund_recorded_twice_cannot_exceed_the_principal(katsudo, council, staff, approver, finance,
                                                                  finance2) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
    reported(case, plan, cats, council[1], staff)
    lifecycle.confirm(case_id=case.pk, actor=approver)
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=30_000, received_on=today())
    with pytest.raises(CaseActionError, match="納付すべき額"):
        refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=30_000, received_on=today())
    assert fresh(case).refunded_amount == 30_000
