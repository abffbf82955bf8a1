"""Races on PostgreSQL (row locks): two staff verifying, decide against refuse, the last of the budget, two runs
of one programme-year stepped at once. Skipped on SQLite, like tests/cases/test_concurrency.py."""

import pytest
from django.db import connection

from grants.cases import services
from grants.cases.annual_run import advance_annual_run, start_annual_run
from grants.cases.models import AnnualRun, GrantCase, Status
from grants.cases.workflows import CaseActionError
from grants.core.models import AuditEvent
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from tests import factories
from tests.cases.steps import to_decided, to_verified
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


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


def test_two_starts_of_one_year_at_once_open_one_run(staff) -> None:  # type: ignore[no-untyped-def]
    """Two staff start the annual run of one programme-year at the same moment: the programme-year row lock
    lets one run open and the other is refused (a run's counts are those on file when it starts)."""
    for attempt in range(5):
        py = factories.programme_year_with_budget(budget=1_000_000, fiscal_year=2030 + attempt)
        for org in factories.AssociationFactory.create_batch(20):
            factories.count(org, py.base_date, 10)
        outcomes = run_together(lambda p=py: start_annual_run(programme_year=p, actor=staff),
                                lambda p=py: start_annual_run(programme_year=p, actor=staff))
        assert sum(isinstance(o, AnnualRun) for o in outcomes) == 1, outcomes
        assert sum(isinstance(o, CaseActionError) for o in outcomes) == 1, outcomes
        run = AnnualRun.objects.get(programme_year=py)
        outcomes = run_together(lambda r=run: advance_annual_run(run_id=r.pk, actor=staff, chunk_size=7),
                                lambda r=run: advance_annual_run(run_id=r.pk, actor=staff, chunk_size=7))
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert GrantCase.objects.filter(programme_year=py).count() == 14
