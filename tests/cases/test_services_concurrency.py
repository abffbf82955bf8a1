"""Two approvers at once: the row lock lets exactly one transition and one commitment through.

Runs on PostgreSQL only: SQLite ignores SELECT … FOR UPDATE (it locks the whole database instead)."""
import pytest
from django.db import connection

from grants.cases import services
from grants.cases.models import GrantCase, Status
from grants.core.models import AuditEvent
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from tests import factories
from tests.cases.steps import to_decided, to_verified
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != 'postgresql', reason='row locks need PostgreSQL'),
]


def test_two_concurrent_approvals_make_one_transition_and_one_commitment(case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    services.verify_application(case_id=case.pk, actor=staff)
    first = factories.UserFactory(username="approver-a", role="approver")
    second = factories.UserFactory(username="approver-b", role="approver")
    for round_no in range(1, 6):  # repeat the race a few times on fresh cases to make a lucky pass unlikely
        outcomes = run_together(
            lambda pk=case.pk: services.decide_grant(case_id=pk, actor=first),
            lambda pk=case.pk: services.decide_grant(case_id=pk, actor=second),
        )
        successes = [o for o in outcomes if isinstance(o, GrantCase)]
        refusals = [o for o in outcomes if isinstance(o, services.CaseActionError)]
        assert (len(successes), len(refusals)) == (1, 1), outcomes
        assert "交付決定済" in str(refusals[0])
        assert GrantCase.objects.get(pk=case.pk).status == Status.DECIDED
        assert LedgerEntry.objects.filter(case=case, kind=EntryKind.COMMITMENT).count() == 1
        assert AuditEvent.objects.for_object(case).filter(action="decide").count() == 1
        assert BudgetAccount.objects.get(programme_year=case.programme_year).committed == 70_000 * round_no
        case = _next_verified_case(case, association_head, staff)


def _next_verified_case(previous, head, staff):  # type: ignore[no-untyped-def]
    org = factories.AssociationFactory()
    factories.BankAccountFactory(organization=org)
    factories.RepresentativeFactory(organization=org, user=head)
    case = GrantCase(programme_year=previous.programme_year, organization=org)
    services.apply_count(case, 120)
    case.save()
    services.submit_application(case_id=case.pk, actor=head)
    services.verify_application(case_id=case.pk, actor=staff)
    return case


def test_two_payments_of_one_case_at_once_post_one_payment(case, association_head, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    services.verify_application(case_id=case.pk, actor=staff)
    services.decide_grant(case_id=case.pk, actor=approver)
    services.prepare_payment(case_id=case.pk, actor=staff)
    services.approve_payment(case_id=case.pk, actor=finance)
    outcomes = run_together(
        lambda: services.record_payment(case_id=case.pk, actor=finance),
        lambda: services.record_payment(case_id=case.pk, actor=finance2),
    )
    assert sum(isinstance(o, GrantCase) for o in outcomes) == 1
    assert LedgerEntry.objects.filter(case=case, kind=EntryKind.PAYMENT).count() == 1
    assert BudgetAccount.objects.get(programme_year=case.programme_year).paid == 70_000


# Races on PostgreSQL (row locks): two staff verifying, decide against refuse, the last of the budget, two runs
# of one programme-year stepped at once. Skipped on SQLite, like tests/cases/test_concurrency.py.


def _fresh_case(py, head, households=120):  # type: ignore[no-untyped-def]
    org = factories.AssociationFactory()
    factories.BankAccountFactory(organization=org)
    factories.RepresentativeFactory(organization=org, user=head)
    case = GrantCase(programme_year=py, organization=org)
    services.apply_count(case, households)
    case.save()
    return case


def test_two_staff_verifying_at_once(case, association_head, staff, staff2) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        services.submit_application(case_id=case.pk, actor=association_head)
        outcomes = run_together(lambda pk=case.pk: services.verify_application(case_id=pk, actor=staff),
                                lambda pk=case.pk: services.verify_application(case_id=pk, actor=staff2))
        assert sum(isinstance(o, GrantCase) for o in outcomes) == 1, outcomes
        assert sum(isinstance(o, services.CaseActionError) for o in outcomes) == 1, outcomes
        assert AuditEvent.objects.for_object(case).filter(action="verify").count() == 1
        case = _fresh_case(case.programme_year, association_head)


def test_decide_and_refuse_at_once(case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    a = factories.UserFactory(username="approver-a", role="approver")
    b = factories.UserFactory(username="approver-b", role="approver")
    for _ in range(5):
        to_verified(case, association_head, staff)
        outcomes = run_together(lambda pk=case.pk: services.decide_grant(case_id=pk, actor=a),
                                lambda pk=case.pk: services.refuse_grant(case_id=pk, actor=b, note="要件不備"))
        assert sum(isinstance(o, GrantCase) for o in outcomes) == 1, outcomes
        final = GrantCase.objects.get(pk=case.pk)
        commitments = LedgerEntry.objects.filter(case=case, kind=EntryKind.COMMITMENT).count()
        if final.status == Status.DECIDED:
            assert (final.decided_amount, final.decided_by, commitments) == (70_000, a, 1)
        else:
            assert (final.status, final.decided_amount, final.decided_by, commitments) == (Status.NOT_GRANTED, 0, b, 0)
        case = _fresh_case(case.programme_year, association_head)
    account = BudgetAccount.objects.get(programme_year=case.programme_year)
    assert account.committed == 70_000 * LedgerEntry.objects.filter(kind=EntryKind.COMMITMENT).count()


def test_two_decisions_for_the_last_of_the_budget(association_head, staff) -> None:  # type: ignore[no-untyped-def]
    py = factories.programme_year_with_budget(budget=100_000)
    a = factories.UserFactory(username="approver-a", role="approver")
    b = factories.UserFactory(username="approver-b", role="approver")
    first, second = _fresh_case(py, association_head), _fresh_case(py, association_head)
    to_verified(first, association_head, staff)
    to_verified(second, association_head, staff)
    outcomes = run_together(lambda: services.decide_grant(case_id=first.pk, actor=a),
                            lambda: services.decide_grant(case_id=second.pk, actor=b))
    assert sum(isinstance(o, GrantCase) for o in outcomes) == 1, outcomes
    assert "予算額を超える" in str(next(o for o in outcomes if isinstance(o, services.CaseActionError)))
    assert BudgetAccount.objects.get(programme_year=py).committed == 70_000


def test_correction_and_submission_at_once(case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        run_together(lambda pk=case.pk: services.submit_application(case_id=pk, actor=association_head),
                     lambda pk=case.pk: services.correct_household_count(case_id=pk, actor=staff, households=200,
                                                                         reason="訂正"))
        final = GrantCase.objects.get(pk=case.pk)
        assert final.status == Status.SUBMITTED
        assert final.computed_amount == 10_000 + 500 * final.household_count
        case = _fresh_case(case.programme_year, association_head)


def test_approve_and_reject_payment_at_once(case, association_head, staff, approver, finance) -> None:  # type: ignore[no-untyped-def]
    f2 = factories.UserFactory(username="fin-b", role="finance")
    f3 = factories.UserFactory(username="fin-c", role="finance")
    to_decided(case, association_head, staff, approver)
    services.prepare_payment(case_id=case.pk, actor=finance)
    outcomes = run_together(lambda: services.approve_payment(case_id=case.pk, actor=f2),
                            lambda: services.reject_payment(case_id=case.pk, actor=f3, note="口座確認"))
    assert sum(isinstance(o, GrantCase) for o in outcomes) == 1, outcomes
