"""Separation of duties in every two-person step of the full lifecycle: plan (submit/approve), override
(make/approve), 審査/交付決定, change (submit/check/approve), 実績報告 (submit/verify) and 額の確定, payment orders
(draft/approve) and payment batches (make/approve) — also when the first person later changes role."""
import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from grants.accounts.models import Role
from grants.cases import budget, lifecycle, orders
from grants.cases.batches import BatchError, approve_payment_batch, create_payment_batch
from grants.cases.models import Status
from grants.cases.services import approve_override, override_check
from grants.cases.workflows import CaseActionError
from grants.councils import plans
from grants.ledger.transfers import earliest_transfer_date
from tests.councils import builders
from tests.councils.helpers import fake_file, line
from tests.councils.steps import decided, draft, fresh, reported, scheduled, today
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(CURRENT_FY + 1, 3, 31)


def promote(user, role):  # type: ignore[no-untyped-def]
    user.role = role
    user.save(update_fields=["role"])
    return user


# -- 地域づくり計画 -------------------------------------------------------------------------------------------------

def test_staff_who_submitted_a_plan_cannot_approve_it_even_by_the_database(council, staff, staff2) -> None:  # type: ignore[no-untyped-def]
    org, _ = council
    plan = plans.create_plan(actor=staff, organization=org, term_label="第1期", title="計画",
                             first_fiscal_year=CURRENT_FY, last_fiscal_year=CURRENT_FY + 4)
    field = plans.add_item(actor=staff, plan_id=plan.pk, level="field", code="1", title="分野")
    measure = plans.add_item(actor=staff, plan_id=plan.pk, level="measure", code="1-1", title="施策",
                             parent_id=field.pk)
    plans.add_item(actor=staff, plan_id=plan.pk, level="action", code="1-1-1", title="取組", parent_id=measure.pk)
    plans.submit_plan(actor=staff, plan_id=plan.pk)
    with pytest.raises(plans.PlanError, match="提出した方"):
        plans.approve_plan(actor=staff, plan_id=plan.pk)
    plan.refresh_from_db()
    plan.approved_by = staff
    with pytest.raises(IntegrityError), transaction.atomic():
        plan.save()
    assert plans.approve_plan(actor=staff2, plan_id=plan.pk).approved_by == staff2


@pytest.mark.parametrize("role", [Role.APPROVER, Role.FINANCE, Role.AUDITOR, Role.ASSOCIATION_HEAD])
def test_only_staff_approve_or_return_plans(council, staff, role) -> None:  # type: ignore[no-untyped-def]
    from tests import factories

    org, secretary = council
    plan = builders.approved_plan(org, staff)
    revision = plans.start_revision(actor=secretary, plan_id=plan.pk, reason="見直し")
    plans.submit_plan(actor=secretary, plan_id=revision.pk)
    user = secretary if role == Role.ASSOCIATION_HEAD else factories.UserFactory(username=f"u-{role}", role=role)
    with pytest.raises(plans.PlanError):
        plans.approve_plan(actor=user, plan_id=revision.pk)
    with pytest.raises(plans.PlanError):
        plans.return_plan(actor=user, plan_id=revision.pk, note="x")
    revision.refresh_from_db()
    assert revision.status == "submitted"


# -- 特例判断 ----------------------------------------------------------------------------------------------------

@pytest.fixture
def overridden(katsudo, council, staff):  # type: ignore[no-untyped-def]
    """A submitted case with an excluded 交際費 line, overridden by ``staff`` (not yet approved)."""
    case, plan, cats = draft(katsudo, council, staff)
    bad = line(case, council[1], category=cats["kosaihi"], plan_item=builders.item(plan, "1-1-1"), amount=1)
    lifecycle.submit(case_id=case.pk, actor=council[1])
    override = override_check(case_id=case.pk, actor=staff, check_code=f"category@b{bad.pk}", justification="確認")
    return case, override


def test_override_counts_only_after_another_person_approves(overridden, council, staff, staff2, approver,
                                                          finance, auditor) -> None:  # type: ignore[no-untyped-def]
    case, override = overridden
    with pytest.raises(CaseActionError, match="要件を満たしていない"):
        lifecycle.verify(case_id=case.pk, actor=staff2, assessed_amount=1, note="x", completion_deadline=DEADLINE)
    with pytest.raises(CaseActionError, match="同じ判断を承認できません"):
        approve_override(case_id=case.pk, override_id=override.pk, actor=staff)
    promote(staff, Role.APPROVER)  # promoted, still the author
    with pytest.raises(CaseActionError, match="同じ判断を承認できません"):
        approve_override(case_id=case.pk, override_id=override.pk, actor=staff)
    for user in (finance, auditor, council[1]):
        with pytest.raises(CaseActionError, match="権限"):
            approve_override(case_id=case.pk, override_id=override.pk, actor=user)
    approve_override(case_id=case.pk, override_id=override.pk, actor=approver)
    with pytest.raises(CaseActionError, match="すでに承認"):
        approve_override(case_id=case.pk, override_id=override.pk, actor=staff2)


@pytest.mark.parametrize("role", [Role.APPROVER, Role.FINANCE, Role.AUDITOR])
def test_only_staff_make_overrides(overridden, katsudo, role) -> None:  # type: ignore[no-untyped-def]
    from tests import factories

    case, override = overridden
    user = factories.UserFactory(username=f"o-{role}", role=role)
    with pytest.raises(CaseActionError, match="担当者のみ"):
        override_check(case_id=case.pk, actor=user, check_code="plan_in_force", justification="x")


def test_override_of_a_passing_or_made_up_check_is_refused(overridden, staff2) -> None:  # type: ignore[no-untyped-def]
    case, _ = overridden
    for code in ("plan_in_force", "category@b999999", "nonsense", "category@r1", ""):
        with pytest.raises(CaseActionError):
            override_check(case_id=case.pk, actor=staff2, check_code=code, justification="x")
    with pytest.raises(CaseActionError, match="理由"):
        override_check(case_id=case.pk, actor=staff2, check_code="plan_in_force", justification="  ")


# -- 審査 / 交付決定 ------------------------------------------------------------------------------------------------

def test_staff_who_submitted_for_the_council_cannot_verify_and_the_verifier_cannot_decide(
        katsudo, council, staff, staff2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = draft(katsudo, council, staff)
    lifecycle.submit(case_id=case.pk, actor=staff)
    with pytest.raises(CaseActionError, match="代理で提出した方"):
        lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=1_000_000, completion_deadline=DEADLINE)
    lifecycle.verify(case_id=case.pk, actor=staff2, assessed_amount=1_000_000, completion_deadline=DEADLINE)
    promote(staff2, Role.APPROVER)
    with pytest.raises(CaseActionError, match="審査した方"):
        lifecycle.decide(case_id=case.pk, actor=staff2)
    assert fresh(case).status == Status.VERIFIED


# -- 変更承認申請 -----------------------------------------------------------------------------------------------

def test_change_requested_by_staff_is_checked_by_another_and_approved_by_a_third(
        katsudo, council, staff, staff2, approver) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    lifecycle.start_change(case_id=case.pk, actor=staff, reason="減額", requested_amount=900_000)
    lifecycle.request_change(case_id=case.pk, actor=staff)
    with pytest.raises(CaseActionError, match="代理で提出した方"):
        lifecycle.check_change(case_id=case.pk, actor=staff, assessed_amount=900_000)
    with pytest.raises(CaseActionError, match="代理で提出した方"):
        lifecycle.reject_change(case_id=case.pk, actor=staff, note="取下げ")
    lifecycle.check_change(case_id=case.pk, actor=staff2, assessed_amount=900_000)
    promote(staff2, Role.APPROVER)
    with pytest.raises(CaseActionError, match="審査した方"):
        lifecycle.approve_change(case_id=case.pk, actor=staff2)
    with pytest.raises(CaseActionError, match="権限"):
        lifecycle.approve_change(case_id=case.pk, actor=council[1])
    case = lifecycle.approve_change(case_id=case.pk, actor=approver)
    assert case.decided_amount == 900_000


# -- 実績報告 / 額の確定 ----------------------------------------------------------------------------------------

def test_report_submitted_by_staff_is_verified_by_another_and_confirmed_by_an_approver(
        katsudo, council, staff, staff2, approver) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver, shares=None)
    lifecycle.save_report(case_id=case.pk, actor=staff, narrative="代筆", completed_on=today())
    line(case, staff, where="report", category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
         amount=300_000)
    lifecycle.submit_report(case_id=case.pk, actor=staff)
    with pytest.raises(CaseActionError, match="代理で提出した方"):
        lifecycle.verify_report(case_id=case.pk, actor=staff)
    lifecycle.verify_report(case_id=case.pk, actor=staff2)
    promote(staff2, Role.APPROVER)
    with pytest.raises(CaseActionError, match="審査した方"):
        lifecycle.confirm(case_id=case.pk, actor=staff2)
    for user in (staff, council[1]):
        with pytest.raises(CaseActionError, match="権限"):
            lifecycle.confirm(case_id=case.pk, actor=user)
    assert lifecycle.confirm(case_id=case.pk, actor=approver).confirmed_amount == 300_000


# -- 支出命令 / 振込バッチ ---------------------------------------------------------------------------------------

def test_order_drafter_never_approves_or_rejects_it(katsudo, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    first, second = scheduled(case)
    orders.prepare_order(order_id=first.pk, actor=finance)
    for act in (orders.approve_order, orders.reject_order):
        with pytest.raises(CaseActionError, match="起票した方"):
            act(order_id=first.pk, actor=finance, note="x")
    for user in (staff, approver, council[1]):
        with pytest.raises(CaseActionError):
            orders.approve_order(order_id=first.pk, actor=user)
    orders.reject_order(order_id=first.pk, actor=finance2, note="口座確認")
    # Sent back, the order may be drafted by the one who rejected it and approved by the first drafter.
    orders.prepare_order(order_id=first.pk, actor=finance2)
    assert orders.approve_order(order_id=first.pk, actor=finance).approved_by == finance
    with pytest.raises(CaseActionError, match="権限"):
        orders.prepare_order(order_id=second.pk, actor=council[1])
    with pytest.raises(CaseActionError, match="権限"):
        orders.prepare_order(order_id=second.pk, actor=approver)


def test_batch_maker_never_approves_it(katsudo, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    first = scheduled(case)[0]
    orders.prepare_order(order_id=first.pk, actor=staff)
    orders.approve_order(order_id=first.pk, actor=finance)
    batch = create_payment_batch(actor=finance, case_ids=[], order_ids=[first.pk],
                                 transfer_date=earliest_transfer_date())
    with pytest.raises(BatchError, match="作成した方"):
        approve_payment_batch(batch_id=batch.pk, actor=finance, write_file=fake_file)
    for user in (staff, approver):
        with pytest.raises(BatchError, match="会計課"):
            approve_payment_batch(batch_id=batch.pk, actor=user, write_file=fake_file)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)
    assert fresh(case).paid_amount == first.amount


def test_line_edits_are_for_the_council_and_staff_only(katsudo, council, staff, approver, finance, auditor) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = draft(katsudo, council, staff)
    for user in (approver, finance, auditor):
        with pytest.raises(budget.LineError, match="権限"):
            budget.add_line(case_id=case.pk, actor=user, where="budget",
                            data={"kind": "income", "description": "x", "amount": 1})
        with pytest.raises(CaseActionError):
            lifecycle.save_application(case_id=case.pk, actor=user, project_title="x",
                                       project_start=case.project_start, project_end=case.project_end)
    reported_case = decided(katsudo, builders.council(name="宮野", username="miyano"), staff, approver,
                            shares=None)[0]
    with pytest.raises(CaseActionError):
        lifecycle.save_report(case_id=reported_case.pk, actor=approver, narrative="x", completed_on=today())


def test_cancel_is_the_approvers_and_needs_a_reason(katsudo, council, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = decided(katsudo, council, staff, approver, shares=None)
    for user in (staff, council[1]):
        with pytest.raises(CaseActionError, match="権限"):
            lifecycle.cancel(case_id=case.pk, actor=user, note="x")
    with pytest.raises(CaseActionError, match="理由"):
        lifecycle.cancel(case_id=case.pk, actor=approver, note="  ")
    assert fresh(case).status == Status.DECIDED
    reported(case, plan, cats, council[1], staff)
    case = lifecycle.cancel(case_id=case.pk, actor=approver, note="虚偽の報告")
    assert fresh(case).status == Status.CLOSED  # nothing was paid: nothing to return
