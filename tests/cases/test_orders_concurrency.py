"""A formula grant's single payment order raced through its own services and through its case's, on PostgreSQL
(SQLite has no row locks): whichever way each act comes in, one wins, the other is refused, case and order end
in states that agree, and the case's trail has one row for the act."""
import pytest
from django.db import connection

from grants.cases import orders, services
from grants.cases.models import Status
from grants.cases.workflows import CaseActionError
from grants.core.models import AuditEvent
from grants.ledger.models import OrderStatus, PaymentOrder
from tests.cases.steps import association_case
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

ROUNDS = 4

# The case's state for each state of its order: the two never part.
AGREE = {OrderStatus.SCHEDULED: Status.DECIDED, OrderStatus.PREPARED: Status.PAYMENT_PREPARED,
         OrderStatus.APPROVED: Status.PAYMENT_APPROVED}


def _prepared_cases(programme_year, n, staff, staff2, approver):  # type: ignore[no-untyped-def]
    """``n`` 自治会 cases decided, each with its order drafted by ``staff``."""
    cases = []
    for _ in range(n):
        case = association_case(programme_year)
        services.submit_application(case_id=case.pk, actor=staff2)
        services.verify_application(case_id=case.pk, actor=staff)
        services.decide_grant(case_id=case.pk, actor=approver)
        services.prepare_payment(case_id=case.pk, actor=staff)
        cases.append(case)
    return cases


def test_formula_order_approved_through_the_order_and_sent_back_through_the_case_at_once(  # type: ignore[no-untyped-def]
        programme_year, staff, staff2, approver, finance2, finance3):
    for case in _prepared_cases(programme_year, ROUNDS, staff, staff2, approver):
        order = PaymentOrder.objects.get(case=case)
        outcomes = run_together(
            lambda o=order.pk: orders.approve_order(order_id=o, actor=finance2),
            lambda c=case.pk: services.reject_payment(case_id=c, actor=finance3, note="口座の確認"),
        )
        assert sum(isinstance(o, CaseActionError) for o in outcomes) == 1, outcomes
        assert not [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, CaseActionError)], outcomes
        case.refresh_from_db()
        order.refresh_from_db()
        assert AGREE[order.status] == case.status, (order.status, case.status)
        assert AuditEvent.objects.for_object(case).filter(action__in=["approve_payment", "reject_payment"]).count() == 1


def test_formula_order_sent_back_through_the_order_twice_at_once(  # type: ignore[no-untyped-def]
        programme_year, staff, staff2, approver, finance2, finance3):
    for case in _prepared_cases(programme_year, ROUNDS, staff, staff2, approver):
        order = PaymentOrder.objects.get(case=case)
        outcomes = run_together(
            lambda o=order.pk: orders.reject_order(order_id=o, actor=finance2, note="口座の確認"),
            lambda o=order.pk: orders.reject_order(order_id=o, actor=finance3, note="金額の確認"),
        )
        assert sum(isinstance(o, PaymentOrder) for o in outcomes) == 1, outcomes
        assert sum(isinstance(o, CaseActionError) for o in outcomes) == 1, outcomes
        case.refresh_from_db()
        order.refresh_from_db()
        assert (case.status, order.status) == (Status.DECIDED, OrderStatus.SCHEDULED)
        assert AuditEvent.objects.for_object(case).filter(action="reject_payment").count() == 1
