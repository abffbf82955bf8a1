"""The full lifecycle does not need a 地域づくり計画: a programme of the ``full`` workflow that enables no plan
check (a citizen group's project, say) is applied for, decided, paid in advance through a batch, reported,
confirmed, settled and closed — the plan checks run only where the programme enables them (GRANTS.md §3, §5)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases import budget, checks, lifecycle, orders
from grants.cases.batches import approve_payment_batch, create_payment_batch, record_transfer_result
from grants.cases.models import GrantCase, Status
from grants.ledger.models import BatchItem, BudgetAccount, OrderStatus
from grants.ledger.services import set_budget
from grants.ledger.transfers import earliest_transfer_date
from grants.notices.models import Notice
from grants.organizations.models import CommunityPlan, OrganizationKind
from grants.programmes.models import (
    AmountBasis,
    ExpenseCategory,
    ExpenseRule,
    Instalment,
    Programme,
    ProgrammeYear,
    Treatment,
)
from tests import factories
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_case(approver: User) -> tuple[GrantCase, User]:
    """A citizen group's draft case in a full-lifecycle programme that enables no plan check; 1/2 in advance."""
    programme = Programme.objects.create(code="shimin_katsudo", name="市民活動交流事業補助金",
                                         recipient_kind=OrganizationKind.SHIMIN_DANTAI, workflow="full",
                                         checks=["organization", "recipient_kind", "expense_lines"])
    today = timezone.localdate()
    year = ProgrammeYear.objects.create(
        programme=programme, fiscal_year=CURRENT_FY, base_date=dt.date(CURRENT_FY, 4, 1),
        application_opens=min(today, dt.date(CURRENT_FY, 4, 1)),
        application_closes=max(today, dt.date(CURRENT_FY + 1, 3, 31)), amount_basis=AmountBasis.COST,
        rate_numerator=1, rate_denominator=2, report_due_days=30, refund_due_days=20)
    materials = ExpenseCategory.objects.create(code="shomohin", name="消耗品費")
    ExpenseRule.objects.create(programme_year=year, category=materials, treatment=Treatment.ALLOWED)
    Instalment.objects.create(programme_year=year, order=1, label="第1回", share_numerator=1, share_denominator=2,
                              pay_on=today)
    BudgetAccount.objects.create(programme_year=year)
    set_budget(programme_year=year, budget=1_000_000, actor=approver)
    group = factories.AssociationFactory(kind=OrganizationKind.SHIMIN_DANTAI, name="山口まちづくりの会")
    factories.BankAccountFactory(organization=group)
    member = factories.UserFactory(username="group-member", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=group, user=member)
    case = GrantCase.objects.create(programme_year=year, organization=group)
    lifecycle.save_application(case_id=case.pk, actor=member, project_title="子ども食堂の立ち上げ",
                               project_start=today, project_end=dt.date(CURRENT_FY + 1, 3, 31))
    budget.add_line(case_id=case.pk, actor=member, where="budget", data={
        "kind": "expense", "category": materials, "description": "調理器具", "amount": 200_000, "spent_on": today})
    return case, member


def test_a_full_programme_without_a_plan_goes_from_application_to_closing(  # type: ignore[no-untyped-def]
        group_case, staff, approver, finance, finance2, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case, member = group_case
    assert not CommunityPlan.objects.exists()
    assert [r.code.split("@")[0] for r in checks.run_checks(case)] == [
        "organization_active", "organization_kind", "representative", "bank_account",
        "category", "purpose", "period", "before_decision"]  # no plan_in_force, no plan_item

    lifecycle.submit(case_id=case.pk, actor=member)
    lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=100_000,
                     completion_deadline=dt.date(CURRENT_FY + 1, 3, 31))
    case = lifecycle.decide(case_id=case.pk, actor=approver)  # no plan to have been revised since
    assert (case.status, case.decided_amount, case.plan) == (Status.DECIDED, 100_000, None)

    advance = case.payment_orders.get()
    orders.prepare_order(order_id=advance.pk, actor=staff)
    orders.approve_order(order_id=advance.pk, actor=finance)
    batch = create_payment_batch(actor=finance, order_ids=[advance.pk], transfer_date=earliest_transfer_date())
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=lambda b: b"file")
    record_transfer_result(item_id=BatchItem.objects.get(batch=batch).pk, actor=finance, returned=False)

    lifecycle.save_report(case_id=case.pk, actor=member, narrative="月2回開催しました。",
                          completed_on=timezone.localdate())
    budget.add_line(case_id=case.pk, actor=member, where="report", data={
        "kind": "expense", "category": ExpenseCategory.objects.get(), "description": "調理器具（実績）",
        "amount": 160_000, "spent_on": timezone.localdate()})
    lifecycle.submit_report(case_id=case.pk, actor=member)
    lifecycle.verify_report(case_id=case.pk, actor=staff)
    case = lifecycle.confirm(case_id=case.pk, actor=approver)
    assert (case.status, case.confirmed_amount) == (Status.CONFIRMED, 80_000)  # 160,000 × 1/2

    settlement = case.payment_orders.get(kind="settlement")
    assert settlement.amount == 30_000  # 80,000 confirmed − 50,000 advanced
    orders.prepare_order(order_id=settlement.pk, actor=staff)
    orders.approve_order(order_id=settlement.pk, actor=finance)
    batch = create_payment_batch(actor=finance, order_ids=[settlement.pk], transfer_date=earliest_transfer_date())
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=lambda b: b"file")
    record_transfer_result(item_id=BatchItem.objects.get(batch=batch).pk, actor=finance, returned=False)

    case.refresh_from_db()
    assert (case.status, case.paid_amount, case.closed_on) == (Status.CLOSED, 80_000, timezone.localdate())
    assert sorted(case.payment_orders.values_list("status", flat=True)) == [OrderStatus.PAID, OrderStatus.PAID]
    account = BudgetAccount.objects.get(programme_year=case.programme_year)
    assert (account.committed, account.paid, account.refunded) == (80_000, 80_000, 0)
    assert sorted(Notice.objects.filter(case=case).values_list("kind", flat=True)) == [
        "confirmation", "decision", "payment", "payment"]
