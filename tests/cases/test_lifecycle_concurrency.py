"""Races of the full lifecycle on PostgreSQL (SQLite has no row locks): two approvers confirming at once, an order
approved twice, a refund receipt recorded twice, a change approved while the case's advance is in a batch being
approved, and the council's own double submissions. Each race ends in one consistent outcome, never a database
error."""
import datetime as dt

import pytest
from django.db import connection
from django.test import Client

from grants.cases import lifecycle, orders, refunds, services
from grants.cases.batches import BatchError, approve_payment_batch, create_payment_batch
from grants.cases.models import BudgetLine, ChangeRequest, GrantCase, RefundReceipt, Status
from grants.cases.workflows import CaseActionError
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry, OrderStatus, PaymentBatch, PaymentOrder
from grants.ledger.services import case_totals
from grants.ledger.transfers import earliest_transfer_date
from grants.notices.models import Notice
from tests import factories
from tests.cases.steps import association_case
from tests.concurrency import run_together
from tests.councils import builders
from tests.councils.helpers import fake_file, line, pay_orders
from tests.councils.steps import decided, prepare_and_approve, reported, scheduled, today
from tests.factories import CURRENT_FY

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

ROUNDS = 4


def councils(n):  # type: ignore[no-untyped-def]
    return [builders.council(name=f"協議会{i}", username=f"sec{i}") for i in range(n)]


def errors_are_refusals(outcomes, *kinds) -> None:  # type: ignore[no-untyped-def]
    """Every exception in ``outcomes`` is a refusal meant for the user (no deadlock, no integrity error)."""
    bad = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, kinds)]
    assert not bad, outcomes


def test_two_approvers_confirm_one_case_at_once(katsudo, staff, approver, approver2, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    builders.instalments(katsudo, [(1, 2), (1, 4)])
    for council in councils(ROUNDS):
        case, plan, cats = decided(katsudo, council, staff, approver, shares=None)
        pay_orders(case, staff, finance, finance2, kinds=("advance",))
        reported(case, plan, cats, council[1], staff)
        outcomes = run_together(lambda c=case.pk: lifecycle.confirm(case_id=c, actor=approver),
                                lambda c=case.pk: lifecycle.confirm(case_id=c, actor=approver2))
        errors_are_refusals(outcomes, CaseActionError)
        assert sum(isinstance(o, GrantCase) for o in outcomes) == 1, outcomes
        assert Notice.objects.filter(case=case, kind="confirmation").count() == 1
        assert Notice.objects.filter(case=case, kind="refund_order").count() == 1
        assert case_totals(case)[EntryKind.COMMITMENT] == 750_000


APPROVERS = 50


def test_fifty_approvers_decide_one_case_at_once_make_one_decision(programme_year, staff, staff2) -> None:  # type: ignore[no-untyped-def]
    """50 approvers press 交付決定 on one verified case at the same moment (one barrier, 50 threads, so 50
    connections: with another race test beside it under pytest-xdist that stays below PostgreSQL's 100). The
    case row lock lets one through: one transition, one commitment, one audit row, one 交付決定通知書, one
    payment order; the 49 others get the state refusal in Japanese, never a database error."""
    from grants.core.models import AuditEvent

    approvers = [factories.UserFactory(username=f"approver-{i:02d}", role="approver") for i in range(APPROVERS)]
    for round_no in (1, 2):
        case = association_case(programme_year)  # 120 households: 10,000 + 120 × 500 = 70,000円
        lifecycle.submit(case_id=case.pk, actor=staff2)  # 代理提出, so the verifier is someone else
        services.verify_application(case_id=case.pk, actor=staff)
        outcomes = run_together(*[lambda c=case.pk, a=a: lifecycle.decide(case_id=c, actor=a) for a in approvers])
        errors_are_refusals(outcomes, CaseActionError)
        wins = [o for o in outcomes if isinstance(o, GrantCase)]
        refusals = {str(o) for o in outcomes if isinstance(o, CaseActionError)}
        assert (len(wins), refusals) == (1, {"この案件は「交付決定済」のため、この操作はできません。"}), outcomes
        case.refresh_from_db()
        assert (case.status, case.decided_by_id, case.decided_amount) == (Status.DECIDED, wins[0].decided_by_id,
                                                                          70_000)
        assert LedgerEntry.objects.filter(case=case, kind=EntryKind.COMMITMENT).count() == 1
        assert AuditEvent.objects.for_object(case).filter(action="decide").count() == 1
        assert Notice.objects.filter(case=case, kind="decision").count() == 1
        assert PaymentOrder.objects.filter(case=case).count() == 1
        assert BudgetAccount.objects.get(programme_year=programme_year).committed == 70_000 * round_no


def test_two_approvers_decide_one_council_case_at_once(katsudo, staff, approver, approver2) -> None:  # type: ignore[no-untyped-def]
    """The 交付決定 commits the budget, schedules the advances and numbers a notice: once, whoever comes second."""
    from grants.core.models import AuditEvent
    from tests.councils.steps import draft

    builders.instalments(katsudo, [(1, 2)])
    for council in councils(ROUNDS):
        case, _, _ = draft(katsudo, council, staff)
        lifecycle.submit(case_id=case.pk, actor=council[1])
        lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=1_000_000,
                         completion_deadline=dt.date(CURRENT_FY + 1, 3, 31))
        outcomes = run_together(lambda c=case.pk: lifecycle.decide(case_id=c, actor=approver),
                                lambda c=case.pk: lifecycle.decide(case_id=c, actor=approver2))
        errors_are_refusals(outcomes, CaseActionError)
        assert sum(isinstance(o, GrantCase) for o in outcomes) == 1, outcomes
        assert case_totals(case)[EntryKind.COMMITMENT] == 1_000_000
        assert PaymentOrder.objects.filter(case=case).count() == 1
        assert Notice.objects.filter(case=case, kind="decision").count() == 1
        assert AuditEvent.objects.for_object(case).filter(action="decide").count() == 1


def test_two_approvers_cancel_one_paid_case_at_once(katsudo, staff, approver, approver2, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    """A 取消 after an advance was paid orders it back: one 返還命令 and its notice, the commitment down once."""
    from grants.cases.models import RefundOrder

    builders.instalments(katsudo, [(1, 2)])
    for council in councils(ROUNDS):
        case, _, _ = decided(katsudo, council, staff, approver, shares=None)
        pay_orders(case, staff, finance, finance2, kinds=("advance",))
        outcomes = run_together(
            lambda c=case.pk: lifecycle.cancel(case_id=c, actor=approver, note="目的外使用", kept_amount=0),
            lambda c=case.pk: lifecycle.cancel(case_id=c, actor=approver2, note="目的外使用", kept_amount=0))
        errors_are_refusals(outcomes, CaseActionError)
        assert sum(isinstance(o, GrantCase) for o in outcomes) == 1, outcomes
        assert RefundOrder.objects.filter(case=case).count() == 1
        assert RefundOrder.objects.get(case=case).principal == 500_000
        assert Notice.objects.filter(case=case, kind="refund_order").count() == 1
        assert case_totals(case)[EntryKind.COMMITMENT] == 500_000  # what was paid, until it comes back


def test_one_order_approved_twice_at_once(katsudo, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    builders.instalments(katsudo, [(1, 2)])
    for council in councils(ROUNDS):
        case, _, _ = decided(katsudo, council, staff, approver, shares=None)
        order = scheduled(case)[0]
        orders.prepare_order(order_id=order.pk, actor=staff)
        outcomes = run_together(lambda o=order.pk: orders.approve_order(order_id=o, actor=finance),
                                lambda o=order.pk: orders.approve_order(order_id=o, actor=finance2))
        errors_are_refusals(outcomes, CaseActionError)
        assert sum(isinstance(o, PaymentOrder) for o in outcomes) == 1, outcomes


def test_two_advances_drafted_at_once_never_exceed_the_decided_amount(katsudo, staff, staff2, approver) -> None:  # type: ignore[no-untyped-def]
    builders.instalments(katsudo, [(1, 2), (1, 4)])
    for council in councils(ROUNDS):
        case, _, _ = decided(katsudo, council, staff, approver, shares=None)
        first, second = scheduled(case)
        PaymentOrder.objects.filter(pk__in=[first.pk, second.pk]).update(amount=600_000)  # tampered: 1,200,000
        outcomes = run_together(lambda o=first.pk: orders.prepare_order(order_id=o, actor=staff),
                                lambda o=second.pk: orders.prepare_order(order_id=o, actor=staff2))
        errors_are_refusals(outcomes, CaseActionError)
        assert PaymentOrder.objects.filter(case=case, status=OrderStatus.PREPARED).count() == 1, outcomes


def test_full_refund_recorded_twice_at_once(katsudo, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    builders.instalments(katsudo, [(1, 2), (1, 4)])
    for council in councils(ROUNDS):
        case, plan, cats = decided(katsudo, council, staff, approver, shares=None)
        pay_orders(case, staff, finance, finance2, kinds=("advance",))
        reported(case, plan, cats, council[1], staff)
        lifecycle.confirm(case_id=case.pk, actor=approver)
        outcomes = run_together(
            lambda c=case.pk: refunds.record_refund_receipt(case_id=c, actor=finance, amount=50_000,
                                                            received_on=today()),
            lambda c=case.pk: refunds.record_refund_receipt(case_id=c, actor=finance2, amount=50_000,
                                                            received_on=today()))
        errors_are_refusals(outcomes, CaseActionError)
        assert RefundReceipt.objects.filter(order__case=case).count() == 1, outcomes
        case.refresh_from_db()
        assert (case.refunded_amount, case.status) == (50_000, Status.CLOSED)


def test_regression_change_approved_while_the_cases_advance_is_in_a_batch_being_approved(katsudo, staff, approver, finance,
                                                                             finance2) -> None:  # type: ignore[no-untyped-def]
    """The batch holds an advance of case A and one of case B; B's increase is approved at the same moment. Both
    lock B's row and the programme-year's budget: whichever comes first, the other must wait. The batch used to
    lock the budget (posting A's payment) before B's row, the change B's row before the budget: deadlock."""
    builders.instalments(katsudo, [(1, 2)])
    for round_no in range(ROUNDS):
        (council_a, council_b) = councils(2) if round_no == 0 else (
            builders.council(name=f"A{round_no}", username=f"a{round_no}"),
            builders.council(name=f"B{round_no}", username=f"b{round_no}"))
        case_a, _, _ = decided(katsudo, council_a, staff, approver, shares=None)
        case_b, plan_b, cats_b = decided(katsudo, council_b, staff, approver, shares=None)
        ids = [prepare_and_approve(scheduled(c)[0], staff, finance).pk for c in (case_a, case_b)]
        batch = create_payment_batch(actor=finance, case_ids=[], order_ids=ids, transfer_date=earliest_transfer_date())
        lifecycle.start_change(case_id=case_b.pk, actor=council_b[1], reason="増額", requested_amount=1_200_000)
        line(case_b, council_b[1], where="change", category=cats_b["genzairyo"],
             plan_item=builders.item(plan_b, "1-1-2"), amount=200_000, description="追加")
        lifecycle.request_change(case_id=case_b.pk, actor=council_b[1])
        lifecycle.check_change(case_id=case_b.pk, actor=staff, assessed_amount=1_200_000)
        outcomes = run_together(
            lambda b=batch.pk: approve_payment_batch(batch_id=b, actor=finance2, write_file=fake_file),
            lambda c=case_b.pk: lifecycle.approve_change(case_id=c, actor=approver))
        errors_are_refusals(outcomes, CaseActionError, BatchError)
        assert isinstance(outcomes[0], PaymentBatch) and isinstance(outcomes[1], GrantCase), outcomes
        case_b.refresh_from_db()
        assert (case_b.decided_amount, case_b.paid_amount) == (1_200_000, 500_000)
        account = BudgetAccount.objects.get(programme_year=katsudo)
        assert account.paid - account.refunded <= account.committed


def test_batch_approved_while_the_case_is_confirmed(katsudo, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    """The report is verified while an advance approved earlier sits in a batch: 額の確定 and the batch approval
    race. 額の確定 must never go through with the advance's result unknown."""
    builders.instalments(katsudo, [(1, 2)])
    for council in councils(ROUNDS):
        case, plan, cats = decided(katsudo, council, staff, approver, shares=None)
        order = prepare_and_approve(scheduled(case)[0], staff, finance)
        batch = create_payment_batch(actor=finance, case_ids=[], order_ids=[order.pk],
                                     transfer_date=earliest_transfer_date())
        reported(case, plan, cats, council[1], staff)
        outcomes = run_together(
            lambda b=batch.pk: approve_payment_batch(batch_id=b, actor=finance2, write_file=fake_file),
            lambda c=case.pk: lifecycle.confirm(case_id=c, actor=approver))
        errors_are_refusals(outcomes, CaseActionError, BatchError)
        case.refresh_from_db()
        assert case.status == Status.REPORT_VERIFIED and case.confirmed_amount is None, outcomes
        assert LedgerEntry.objects.filter(case=case, kind=EntryKind.PAYMENT).count() == 1


def test_change_started_twice_at_once_makes_one(katsudo, staff, approver) -> None:  # type: ignore[no-untyped-def]
    for council in councils(ROUNDS):
        case, _, _ = decided(katsudo, council, staff, approver, shares=None)
        outcomes = run_together(
            *[lambda c=case.pk, s=council[1]: lifecycle.start_change(case_id=c, actor=s, reason="減額",
                                                                    requested_amount=900_000)] * 2)
        errors_are_refusals(outcomes, CaseActionError)
        assert ChangeRequest.objects.filter(case=case).count() == 1, outcomes


def test_staff_lines_clicked_twice_at_once_add_each_person_once(unei, staff) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    for council in councils(ROUNDS):
        org, secretary = council
        builders.approved_plan(org, staff)
        builders.staff_member(org, secretary)
        case = builders.draft_case(unei, org, start=dt.date(CURRENT_FY, 4, 1))

        def click(c=case.pk, user=secretary):  # type: ignore[no-untyped-def]
            client = Client()
            client.force_login(user)
            return client.post(reverse("case_staff_lines", args=[c])).status_code

        outcomes = run_together(click, click)
        assert outcomes == [302, 302], outcomes
        assert BudgetLine.objects.filter(case=case, staff__isnull=False).count() == 1


def test_settlement_confirmed_by_the_bank_while_staff_close_the_case(katsudo, staff, approver, finance,
                                                                      finance2) -> None:  # type: ignore[no-untyped-def]
    from grants.cases.batches import record_transfer_result
    from grants.core.models import AuditEvent
    from grants.ledger.models import BatchItem

    builders.instalments(katsudo, [(1, 2)])
    for council in councils(ROUNDS):
        case, plan, cats = decided(katsudo, council, staff, approver, shares=None)
        pay_orders(case, staff, finance, finance2, kinds=("advance",))
        reported(case, plan, cats, council[1], staff, amounts=(500_000, 300_000))
        lifecycle.confirm(case_id=case.pk, actor=approver)
        pay_orders(case, staff, finance, finance2, kinds=("settlement",), record=False)
        item = BatchItem.objects.get(case=case, payment_order__kind="settlement")
        outcomes = run_together(
            lambda i=item.pk: record_transfer_result(item_id=i, actor=finance, returned=False),
            lambda c=case.pk: lifecycle.close(case_id=c, actor=staff))
        errors_are_refusals(outcomes, CaseActionError, BatchError)
        case.refresh_from_db()
        assert case.status == Status.CLOSED, outcomes
        assert AuditEvent.objects.for_object(case).filter(action="close").count() == 1
