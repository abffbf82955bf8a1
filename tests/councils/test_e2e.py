"""One council's year through the full lifecycle, at the service level (GRANTS.md §3)."""
import datetime as dt

from django.utils import timezone

from grants.cases import lifecycle, refunds
from grants.cases.models import PerformanceReport, Status
from grants.ledger.models import BudgetAccount, OrderStatus
from grants.notices.models import Notice
from tests.councils import builders
from tests.councils.helpers import decide, line, pay_orders


def test_katsudo_year_with_advances_change_report_and_refund(council, katsudo, staff, staff2, approver, finance,
                                                             finance2):
    org, secretary = council
    plan = builders.approved_plan(org, staff)
    builders.instalments(katsudo, [(1, 2), (1, 4)])
    cats = builders.categories()
    case = builders.draft_case(katsudo, org)
    line(case, secretary, category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"), amount=600_000,
         description="水路補修の原材料")
    line(case, secretary, category=cats["hoshohi"], plan_item=builders.item(plan, "1-1-1"), amount=400_001,
         description="防災訓練の講師謝礼")
    case = decide(case, secretary, staff, approver, amount=1_000_000, conditions="事業の内容を広報紙で周知すること",
                  note="端数を調整")
    assert case.status == Status.DECIDED and case.decided_amount == 1_000_000 and case.applied_amount == 1_000_001
    assert case.plan == plan
    advances = list(case.payment_orders.order_by("number").values_list("amount", flat=True))
    assert advances == [500_000, 250_000]
    assert Notice.objects.filter(case=case, kind="decision").exists()

    pay_orders(case, staff, finance, finance2)
    case.refresh_from_db()
    assert case.paid_amount == 750_000
    assert Notice.objects.filter(case=case, kind="payment").count() == 2

    # 変更承認申請: the amount goes down to 900,000.
    change = lifecycle.start_change(case_id=case.pk, actor=secretary, reason="資材費の減少", requested_amount=900_000)
    assert change.lines.count() == 2
    lifecycle.request_change(case_id=case.pk, actor=secretary)
    lifecycle.check_change(case_id=case.pk, actor=staff, assessed_amount=900_000)
    case = lifecycle.approve_change(case_id=case.pk, actor=approver)
    assert case.decided_amount == 900_000
    account = BudgetAccount.objects.get(programme_year=katsudo)
    assert account.committed == 900_000
    assert Notice.objects.filter(case=case, kind="change_decision").exists()

    # 実績報告: eligible actual costs 700,000 → confirmed 700,000, refund 50,000.
    lifecycle.save_report(case_id=case.pk, actor=secretary, narrative="防災訓練と水路補修を行った。",
                          completed_on=timezone.localdate())
    line(case, secretary, where="report", category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
         amount=500_000, description="水路補修の原材料", recipient="大歳第1自治会")
    line(case, secretary, where="report", category=cats["hoshohi"], plan_item=builders.item(plan, "1-1-1"),
         amount=200_000, description="講師謝礼")
    lifecycle.submit_report(case_id=case.pk, actor=secretary)
    lifecycle.verify_report(case_id=case.pk, actor=staff)
    case = lifecycle.confirm(case_id=case.pk, actor=approver)
    assert case.confirmed_amount == 700_000 and case.status == Status.CONFIRMED
    order = case.refund_order
    assert order.principal == 50_000
    assert Notice.objects.filter(case=case, kind="refund_order").exists()
    account.refresh_from_db()
    assert account.committed == 750_000  # stays at what was paid until the refund comes back

    due = refunds.outstanding(case.refund_order, timezone.localdate())
    assert due == {"principal": 50_000, "surcharge": 0, "late": 0}  # no 加算金 after 額の確定
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=50_000, received_on=timezone.localdate())
    case.refresh_from_db()
    order.refresh_from_db()
    account.refresh_from_db()
    assert case.refunded_amount == 50_000
    assert account.committed == 700_000 and account.paid - account.refunded == 700_000
    assert case.status == Status.CLOSED
    assert PerformanceReport.objects.get(case=case).lines.exclude(recipient="").count() == 1


def test_unei_year_with_settlement(council, unei, staff, approver, finance, finance2):
    org, secretary = council
    builders.approved_plan(org, staff)
    builders.instalments(unei, [(1, 2)])
    cats = builders.categories()
    person = builders.staff_member(org, secretary)  # 207,000 a month
    fy_start = dt.date(unei.fiscal_year, 4, 1)
    case = builders.draft_case(unei, org, start=fy_start)
    line(case, secretary, category=cats["jinkenhi"], staff=person, amount=person.cost_in(unei.fiscal_year),
         description="事務局員 人件費", spent_on=fy_start)
    line(case, secretary, category=cats["kounetsu"], amount=700_000, description="事務所の光熱水費",
         spent_on=fy_start)
    # min(2,400,000, 2,484,000) + min(600,000, 700,000) = 3,000,000
    case = decide(case, secretary, staff, approver)
    assert case.decided_amount == 3_000_000
    assert [o.amount for o in case.payment_orders.all()] == [1_500_000]
    pay_orders(case, staff, finance, finance2)
    lifecycle.save_report(case_id=case.pk, actor=secretary, narrative="事務局を運営した。",
                          completed_on=timezone.localdate())
    line(case, secretary, where="report", category=cats["jinkenhi"], staff=person, amount=2_300_000,
         description="人件費（実績）", spent_on=fy_start)
    line(case, secretary, where="report", category=cats["kounetsu"], amount=550_000, description="光熱水費（実績）",
         spent_on=fy_start)
    lifecycle.submit_report(case_id=case.pk, actor=secretary)
    lifecycle.verify_report(case_id=case.pk, actor=staff)
    case = lifecycle.confirm(case_id=case.pk, actor=approver)
    assert case.confirmed_amount == 2_850_000
    settlement = case.payment_orders.get(kind="settlement")
    assert settlement.amount == 1_350_000 and settlement.status == OrderStatus.SCHEDULED
    pay_orders(case, staff, finance, finance2, kinds=("settlement",))
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.paid_amount == 2_850_000
