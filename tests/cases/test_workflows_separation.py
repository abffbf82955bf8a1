"""Separation of duties (the ``separation`` of each machine; for a case, ``SEPARATION`` in grants/cases/workflows.py):
the one who submitted on the applicant's behalf does not verify, who verified does not decide, who checked a change
does not approve it, who verified the report does not confirm the amount, who drafted a payment order does not
approve or reject it, who made a payment batch does not approve it, who submitted a plan does not approve it, and an
override counts only once another person approved it: on the full lifecycle (a council's case), then on the 自治会
(formula) lifecycle (``TestFormulaLifecycle``). A promotion to the other role does not lift the rule: it is on the
person, not on the role."""
import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from grants.accounts.models import Role
from grants.cases import budget, lifecycle, orders, services
from grants.cases.batches import BatchError, approve_payment_batch, create_payment_batch
from grants.cases.models import GrantCase, Status
from grants.cases.services import approve_override, override_check
from grants.cases.workflows import CaseActionError
from grants.councils import plans
from grants.ledger.models import BatchStatus, EntryKind, LedgerEntry, PaymentBatch
from grants.ledger.transfers import earliest_transfer_date
from reports.zengin_batch import batch_file
from tests import factories
from tests.cases.steps import login, take_to, to_decided, to_verified
from tests.cases.world import (
    CALLS,
    CHANGED,
    SEPARATION_WORDS,
    _promote,
    _refused_to,
    _write_report,
    drive,
    new_case,
)
from tests.councils import builders
from tests.councils.helpers import fake_file, line
from tests.councils.steps import decided, draft, fresh, reported, scheduled, today
from tests.factories import CURRENT_FY

DEADLINE = dt.date(CURRENT_FY + 1, 3, 31)


def promote(user, role):  # type: ignore[no-untyped-def]
    user.role = role
    user.save(update_fields=["role"])
    return user


@pytest.mark.django_db
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


@pytest.mark.django_db
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


@pytest.fixture
def overridden(katsudo, council, staff):  # type: ignore[no-untyped-def]
    """A submitted case with an excluded 交際費 line, overridden by ``staff`` (not yet approved)."""
    case, plan, cats = draft(katsudo, council, staff)
    bad = line(case, council[1], category=cats["kosaihi"], plan_item=builders.item(plan, "1-1-1"), amount=1)
    lifecycle.submit(case_id=case.pk, actor=council[1])
    override = override_check(case_id=case.pk, actor=staff, check_code=f"category@b{bad.pk}", justification="確認")
    return case, override


@pytest.mark.django_db
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


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.APPROVER, Role.FINANCE, Role.AUDITOR])
def test_only_staff_make_overrides(overridden, katsudo, role) -> None:  # type: ignore[no-untyped-def]
    from tests import factories

    case, override = overridden
    user = factories.UserFactory(username=f"o-{role}", role=role)
    with pytest.raises(CaseActionError, match="担当者のみ"):
        override_check(case_id=case.pk, actor=user, check_code="plan_in_force", justification="x")


@pytest.mark.django_db
def test_override_of_a_passing_or_made_up_check_is_refused(overridden, staff2) -> None:  # type: ignore[no-untyped-def]
    case, _ = overridden
    for code in ("plan_in_force", "category@b999999", "nonsense", "category@r1", ""):
        with pytest.raises(CaseActionError):
            override_check(case_id=case.pk, actor=staff2, check_code=code, justification="x")
    with pytest.raises(CaseActionError, match="理由"):
        override_check(case_id=case.pk, actor=staff2, check_code="plan_in_force", justification="  ")


@pytest.mark.django_db
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


@pytest.mark.django_db
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


@pytest.mark.django_db
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


@pytest.mark.django_db
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


@pytest.mark.django_db
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


@pytest.mark.django_db
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


@pytest.mark.django_db
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


# Each person the separation of duties names, refused the next step on a case driven through the services
# (``drive(world, status)``, tests/cases/world.py); another person of the role may take it.


def test_verifier_cannot_decide(world):  # type: ignore[no-untyped-def]
    case = drive(world, Status.VERIFIED)
    _promote(world.staff, Role.APPROVER)
    _refused_to(case, lambda: lifecycle.decide(case_id=case.pk, actor=world.staff), SEPARATION_WORDS["verified_by"])
    _refused_to(case, lambda: services.refuse_grant(case_id=case.pk, actor=world.staff, note="対象外"),
                SEPARATION_WORDS["verified_by"])
    lifecycle.decide(case_id=case.pk, actor=world.approver)  # another approver may


def test_staff_who_submitted_for_the_council_cannot_verify(world):  # type: ignore[no-untyped-def]
    case = new_case(world)
    lifecycle.submit(case_id=case.pk, actor=world.staff)  # 代理で提出
    _refused_to(case, lambda: CALLS["verify"](world, case, world.staff), SEPARATION_WORDS["submitted_by"])
    CALLS["verify"](world, case, world.staff2)


def test_change_checker_cannot_approve_the_change(world):  # type: ignore[no-untyped-def]
    case = drive(world, Status.CHANGE_CHECKED)
    _promote(world.staff, Role.APPROVER)
    _refused_to(case, lambda: lifecycle.approve_change(case_id=case.pk, actor=world.staff),
                SEPARATION_WORDS["change_checked_by"])
    lifecycle.approve_change(case_id=case.pk, actor=world.approver)


def test_staff_who_requested_the_change_cannot_check_or_reject_it(world):  # type: ignore[no-untyped-def]
    case = drive(world, Status.DECIDED)
    lifecycle.start_change(case_id=case.pk, actor=world.staff, reason="事業内容の変更", requested_amount=CHANGED)
    lifecycle.request_change(case_id=case.pk, actor=world.staff)
    words = SEPARATION_WORDS["change_requested_by"]
    _refused_to(case, lambda: CALLS["check_change"](world, case, world.staff), words)
    _refused_to(case, lambda: lifecycle.reject_change(case_id=case.pk, actor=world.staff, note="不要"), words)
    CALLS["check_change"](world, case, world.staff2)


def test_staff_who_submitted_the_report_cannot_verify_it(world):  # type: ignore[no-untyped-def]
    case = drive(world, Status.DECIDED)
    _write_report(world, case)
    lifecycle.submit_report(case_id=case.pk, actor=world.staff)
    _refused_to(case, lambda: lifecycle.verify_report(case_id=case.pk, actor=world.staff),
                SEPARATION_WORDS["reported_by"])
    lifecycle.verify_report(case_id=case.pk, actor=world.staff2)


def test_report_verifier_cannot_confirm(world):  # type: ignore[no-untyped-def]
    case = drive(world, Status.REPORT_VERIFIED)
    _promote(world.staff, Role.APPROVER)
    _refused_to(case, lambda: lifecycle.confirm(case_id=case.pk, actor=world.staff),
                SEPARATION_WORDS["report_verified_by"])
    lifecycle.confirm(case_id=case.pk, actor=world.approver)


def test_order_preparer_cannot_approve_or_reject_the_order(world):  # type: ignore[no-untyped-def]
    builders.instalments(world.py, [(1, 2)])
    case = drive(world, Status.DECIDED)
    order = case.payment_orders.get()
    orders.prepare_order(order_id=order.pk, actor=world.finance)
    message = "支出命令を起票した方は、同じ支出を承認・差戻しできません。"
    _refused_to(case, lambda: orders.approve_order(order_id=order.pk, actor=world.finance), message)
    _refused_to(case, lambda: orders.reject_order(order_id=order.pk, actor=world.finance, note="誤り"), message)
    approved = orders.approve_order(order_id=order.pk, actor=world.finance2)
    assert (approved.prepared_by, approved.approved_by) == (world.finance, world.finance2)


def test_plan_submitter_cannot_approve_the_plan(world):  # type: ignore[no-untyped-def]
    revision = plans.start_revision(actor=world.staff, plan_id=world.plan.pk, reason="取組の追加")
    plans.submit_plan(actor=world.staff, plan_id=revision.pk)
    with pytest.raises(plans.PlanError, match="^計画を提出した方は、同じ計画を承認できません。$"):
        plans.approve_plan(actor=world.staff, plan_id=revision.pk)
    revision.refresh_from_db()
    assert revision.status == "submitted" and revision.approved_by is None
    assert plans.approve_plan(actor=world.staff2, plan_id=revision.pk).status == "approved"


def test_override_author_cannot_approve_the_override(world):  # type: ignore[no-untyped-def]
    case = new_case(world)
    bad = line(case, world.secretary, category=world.cats["kosaihi"], plan_item=builders.item(world.plan, "1-1-1"),
               amount=10_000, description="来賓への手土産")
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    override = services.override_check(case_id=case.pk, actor=world.staff, check_code=f"category@b{bad.pk}",
                                       justification="地域の防災協定先への記念品であり、事業に不可欠と認めた")
    _refused_to(case, lambda: services.approve_override(case_id=case.pk, override_id=override.pk, actor=world.staff),
                "特例判断をした方は、同じ判断を承認できません。別の職員が承認してください。")
    override.refresh_from_db()
    assert override.approved_by is None
    approved = services.approve_override(case_id=case.pk, override_id=override.pk, actor=world.staff2)
    assert (approved.actor, approved.approved_by) == (world.staff, world.staff2)


# The one who made a payment batch does not approve it, also after a change of role or through the database.


@pytest.mark.django_db
def test_preparer_cannot_approve_even_after_a_role_round_trip(client, draft_batch, finance) -> None:  # type: ignore[no-untyped-def]
    """The check is on the person (prepared_by), not on the role: leaving 会計課 and coming back does not help,
    neither through the service nor the page; a DB CHECK backs it."""
    finance.role = Role.STAFF
    finance.save()
    finance.role = Role.FINANCE
    finance.save()
    with pytest.raises(BatchError, match="作成した方は"):
        approve_payment_batch(batch_id=draft_batch.pk, actor=finance, write_file=batch_file)
    login(client, finance)
    client.post(reverse("approve_batch", args=[draft_batch.pk]))
    assert PaymentBatch.objects.get(pk=draft_batch.pk).status == BatchStatus.DRAFT
    assert "振込バッチを承認し" not in client.get(reverse("payment_batch", args=[draft_batch.pk])).content.decode()


@pytest.mark.django_db
def test_db_check_refuses_preparer_as_approver(draft_batch) -> None:  # type: ignore[no-untyped-def]
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentBatch.objects.filter(pk=draft_batch.pk).update(approved_by=draft_batch.prepared_by)


@pytest.mark.django_db
def test_staff_turned_finance_still_needs_a_second_person(client, approved_case, transfer_day, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    """One account promoted to 会計課 can prepare a batch but never push it through alone."""
    user = factories.UserFactory(username="promoted", role=Role.STAFF)
    user.role = Role.FINANCE
    user.save()
    batch = create_payment_batch(actor=user, case_ids=[approved_case.pk], transfer_date=transfer_day)
    with pytest.raises(BatchError):
        approve_payment_batch(batch_id=batch.pk, actor=user, write_file=batch_file)
    assert not LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).exists()



@pytest.mark.django_db
class TestFormulaLifecycle:
    """The same rules on the 自治会 (formula) lifecycle of grants/cases/services.py: who verified does not decide,
    who drafted the payment order does not approve or reject it (even after a reject and a new draft, or a change
    of role), staff who submitted on the association's behalf do not verify."""

    def test_drafter_cannot_approve_via_reject_and_redraft(self, case, association_head, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
        to_decided(case, association_head, staff, approver)
        services.prepare_payment(case_id=case.pk, actor=finance)
        with pytest.raises(services.CaseActionError, match="起票した方"):
            services.approve_payment(case_id=case.pk, actor=finance)
        with pytest.raises(services.CaseActionError, match="起票した方"):
            services.reject_payment(case_id=case.pk, actor=finance, note="自分で差戻し")
        services.reject_payment(case_id=case.pk, actor=finance2, note="金額確認")
        services.prepare_payment(case_id=case.pk, actor=finance)  # finance drafts again
        with pytest.raises(services.CaseActionError, match="起票した方"):
            services.approve_payment(case_id=case.pk, actor=finance)
        services.approve_payment(case_id=case.pk, actor=finance2)
        case.refresh_from_db()
        assert (case.payment_prepared_by, case.payment_approved_by) == (finance, finance2)

    def test_reject_clears_drafter_only_after_the_separation_check(self, case, association_head, staff, approver, finance) -> None:  # type: ignore[no-untyped-def]
        """reject_payment's effect sets payment_prepared_by to None; the check must run before it."""
        to_decided(case, association_head, staff, approver)
        services.prepare_payment(case_id=case.pk, actor=finance)
        with pytest.raises(services.CaseActionError):
            services.reject_payment(case_id=case.pk, actor=finance, note="x")
        assert GrantCase.objects.get(pk=case.pk).payment_prepared_by == finance

    def test_verifier_promoted_to_approver_cannot_decide(self, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
        to_verified(case, association_head, staff)
        staff.role = Role.APPROVER
        staff.save()
        with pytest.raises(services.CaseActionError, match="審査した方"):
            services.decide_grant(case_id=case.pk, actor=staff)

    def test_drafter_promoted_to_finance_cannot_approve(self, case, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
        to_decided(case, association_head, staff, approver)
        services.prepare_payment(case_id=case.pk, actor=staff)
        staff.role = Role.FINANCE
        staff.save()
        with pytest.raises(services.CaseActionError, match="起票した方"):
            services.approve_payment(case_id=case.pk, actor=staff)

    def test_verifier_cannot_decide(self, case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
        """Even a user holding both roles' rights may not approve what they verified (separation of duties)."""
        take_to(case, Status.VERIFIED, head=association_head, staff=staff, approver=None, finance=None)
        staff.role = "approver"
        staff.save()
        with pytest.raises(services.CaseActionError, match="審査した方は"):
            services.decide_grant(case_id=case.pk, actor=staff)
        assert GrantCase.objects.get(pk=case.pk).status == Status.VERIFIED
        assert not LedgerEntry.objects.filter(kind=EntryKind.COMMITMENT).exists()

    def test_payment_preparer_cannot_approve(self, case, association_head, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
        take_to(case, Status.DECIDED, head=association_head, staff=staff, approver=approver, finance=finance)
        services.prepare_payment(case_id=case.pk, actor=finance)
        with pytest.raises(services.CaseActionError, match="起票した方は"):
            services.approve_payment(case_id=case.pk, actor=finance)
        assert services.approve_payment(case_id=case.pk, actor=finance2).status == Status.PAYMENT_APPROVED

    def test_staff_who_submitted_on_behalf_cannot_verify(self, case, staff, staff2) -> None:  # type: ignore[no-untyped-def]
        services.submit_application(case_id=case.pk, actor=staff, note="紙の申請書を代理入力")
        with pytest.raises(services.CaseActionError, match="代理で提出した方は"):
            services.verify_application(case_id=case.pk, actor=staff)
        assert services.verify_application(case_id=case.pk, actor=staff2).verified_by == staff2
