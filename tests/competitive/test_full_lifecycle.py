"""After 採択 a competitive case follows the shared full lifecycle (grants.cases.workflows FULL), never a copy: a
交付決定 lower than applied for with conditions, 概算払 in instalments, a 変更承認申請, the 実績報告, 額の確定 with its
返還 and 延滞金, the 取消 with 加算金, and closing — each through the same services as a council's case, from a case
that tests/competitive/steps.py takes to 採択."""
import datetime as dt

import pytest
from django.utils import timezone

from grants.cases import lifecycle, refunds
from grants.cases.models import RefundOrder, RefundReason, Status
from grants.cases.workflows import FULL, CaseActionError
from grants.competitive.models import TaxCreditReport
from grants.competitive.workflows import COMPETITIVE
from grants.ledger.models import BudgetAccount
from grants.notices.models import Notice
from tests.competitive import steps
from tests.councils.builders import instalments
from tests.councils.helpers import pay_orders


def test_the_confirm_edge_is_the_full_lifecycles_with_the_tax_report_added() -> None:
    mine, full = COMPETITIVE.machine.edge("confirm"), FULL.machine.edge("confirm")
    assert mine.then == (*full.then, "schedule_tax_report")
    assert (mine.sources, mine.target, mine.roles, mine.differs_from, mine.effects) == (
        full.sources, full.target, full.roles, full.differs_from, full.effects)
    for name in ("decide", "request_change", "check_change", "approve_change", "submit_report", "verify_report",
                 "cancel", "close"):
        assert COMPETITIVE.machine.edge(name) is FULL.machine.edge(name)


def test_decided_lower_with_conditions_advances_change_report_confirmation_and_late_refund(
        shimin_year, open_call, npo, staff, staff2, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    instalments(shimin_year, [(1, 2), (1, 4)])
    case = steps.selected(open_call, org, head, staff, approver)
    assert (case.status, case.applied_amount) == ("selected", 150_000)
    case = steps.decided(case, staff2, approver, amount=120_000, conditions="成果報告会を開くこと")
    assert (case.status, case.decided_amount, case.decision_conditions) == (
        Status.DECIDED, 120_000, "成果報告会を開くこと")
    assert Notice.objects.get(case=case, kind="decision").amount == 120_000
    # 概算払: ½ and ¼ of the decided amount.
    assert list(case.payment_orders.order_by("number").values_list("amount", flat=True)) == [60_000, 30_000]
    pay_orders(case, staff2, finance, finance2)
    case.refresh_from_db()
    assert case.paid_amount == 90_000

    # 変更承認申請: the amount falls to 100,000 (変更交付決定).
    lifecycle.start_change(case_id=case.pk, actor=head, reason="会場を無料の公民館に変更", requested_amount=100_000)
    lifecycle.request_change(case_id=case.pk, actor=head)
    with pytest.raises(CaseActionError):
        lifecycle.approve_change(case_id=case.pk, actor=approver)  # not checked yet
    lifecycle.check_change(case_id=case.pk, actor=staff2, assessed_amount=100_000)
    case = lifecycle.approve_change(case_id=case.pk, actor=approver)
    assert case.decided_amount == 100_000
    assert Notice.objects.filter(case=case, kind="change_decision").exists()
    assert BudgetAccount.objects.get(programme_year=shimin_year).committed == 100_000

    # 実績報告: 120,000 of eligible costs × ⅔ = 80,000 confirmed; 10,000 of the advances is ordered back.
    case = steps.confirmed(case, head, staff2, approver, spent=120_000)
    assert (case.status, case.confirmed_amount) == (Status.CONFIRMED, 80_000)
    order = case.refund_order
    assert (order.principal, order.reason, order.surcharge_rate) == (10_000, RefundReason.CONFIRMATION, 0)
    assert Notice.objects.get(case=case, kind="refund_order", subject_key="").amount == 10_000
    assert TaxCreditReport.objects.filter(case=case).exists()

    # Paid 10 days after the 納期限: 延滞金 10,000 × 10.95 % × 10 / 365 = 30.
    today = timezone.localdate()
    RefundOrder.objects.filter(pk=order.pk).update(ordered_on=today - dt.timedelta(days=30),
                                                   due_on=today - dt.timedelta(days=10))
    order.refresh_from_db()
    assert refunds.outstanding(order, today) == {"principal": 10_000, "surcharge": 0, "late": 30}
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=10_030, received_on=today)
    case.refresh_from_db()
    assert (case.status, case.refunded_amount, case.paid_amount) == (Status.CLOSED, 10_000, 90_000)
    account = BudgetAccount.objects.get(programme_year=shimin_year)
    assert account.committed == 80_000 and account.paid - account.refunded == 80_000


def test_cancellation_after_an_advance_orders_it_back_with_the_surcharge(
        shimin_year, open_call, npo, staff, staff2, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    instalments(shimin_year, [(1, 2)])
    case = steps.decided(steps.selected(open_call, org, head, staff, approver), staff2, approver)
    pay_orders(case, staff2, finance, finance2)
    case = lifecycle.cancel(case_id=case.pk, actor=approver, note="事業を中止したため（中止・廃止の届出）",
                            kept_amount=0)
    assert case.status == Status.CANCELLED
    order = case.refund_order
    assert (order.principal, order.reason, order.surcharge_rate) == (60_000, RefundReason.CANCELLATION,
                                                                     shimin_year.surcharge_rate)
    assert not TaxCreditReport.objects.filter(case=case).exists()  # no 額の確定, no report
    # 加算金 runs from the day the advance was received (the transfer date), both days counted:
    # 60,000 × 10.95 % × 365 / 365 = 6,570 a year later.
    (received_on, amount), = refunds.advances_received(case)
    assert amount == 60_000
    year_later = received_on + dt.timedelta(days=364)
    assert refunds.outstanding(order, year_later)["surcharge"] == 6_570
    today = timezone.localdate()
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=60_000 + refunds.outstanding(
        order, today)["surcharge"], received_on=today)
    case.refresh_from_db()
    assert (case.status, case.refunded_amount) == (Status.CLOSED, 60_000)
